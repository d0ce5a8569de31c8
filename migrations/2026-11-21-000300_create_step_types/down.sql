DROP TABLE step_types;
