ALTER TABLE connection_configs MODIFY password_ciphertext VARBINARY(512) NULL;
