DROP TABLE execution_events;
DROP TABLE execution_step_logs;
DROP TABLE execution_steps;
DROP TABLE executions;
