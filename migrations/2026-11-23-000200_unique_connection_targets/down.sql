ALTER TABLE connection_configs
    ADD KEY connection_configs_target (data_center_id, platform),
    DROP INDEX platform;
