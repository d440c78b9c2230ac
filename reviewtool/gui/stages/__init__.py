"""The review stages of a batch (评审阶段): their list, a new stage, finalising,
the final-score rule and the promotion dialog."""
