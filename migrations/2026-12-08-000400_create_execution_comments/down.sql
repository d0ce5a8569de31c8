DROP TABLE execution_comments;
