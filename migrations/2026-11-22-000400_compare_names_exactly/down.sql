ALTER TABLE plan_steps MODIFY step_key VARCHAR(36) NOT NULL COLLATE utf8mb4_unicode_ci;
ALTER TABLE applications MODIFY name VARCHAR(100) NOT NULL COLLATE utf8mb4_unicode_ci;
