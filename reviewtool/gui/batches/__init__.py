"""The batch screen (申报批次): calls for applications and their review rules."""
