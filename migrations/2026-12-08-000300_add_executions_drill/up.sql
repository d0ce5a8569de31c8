-- A drill (演练) calls only test (simulator) configs and is labelled as such everywhere.
ALTER TABLE executions ADD COLUMN drill BOOL NOT NULL DEFAULT FALSE AFTER description;
