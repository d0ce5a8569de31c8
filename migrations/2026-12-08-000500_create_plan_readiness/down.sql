DROP TABLE plan_readiness;
