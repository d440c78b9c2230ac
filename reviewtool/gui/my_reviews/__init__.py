"""我的评审: the expert's workspace (services/my_reviews)."""
