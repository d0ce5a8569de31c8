-- The estate that plans act on: regions, data centers, how to reach each platform in a
-- data center, product groups with their applications, and replicated database clusters.
-- Unique keys are named after the field they protect: the store reports a clash by that name.

CREATE TABLE regions (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(100)    NOT NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE data_centers (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    region_id   BIGINT UNSIGNED NOT NULL,
    name        VARCHAR(100)    NOT NULL,
    description TEXT            NOT NULL DEFAULT '',
    version     INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY name (name),
    KEY data_centers_region (region_id),
    CONSTRAINT data_centers_region_fk FOREIGN KEY (region_id) REFERENCES regions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE connection_configs (
    id                  BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name                VARCHAR(100)      NOT NULL,
    data_center_id      BIGINT UNSIGNED   NOT NULL,
    platform            VARCHAR(32)       NOT NULL,
    kind                VARCHAR(16)       NOT NULL,
    protocol            VARCHAR(16)       NOT NULL DEFAULT 'http',
    host                VARCHAR(253)      NOT NULL,
    port                SMALLINT UNSIGNED NOT NULL,
    username            VARCHAR(255)      NOT NULL DEFAULT '',
    -- AES-GCM/XChaCha ciphertext with its nonce; the plaintext never reaches this table.
    password_ciphertext VARBINARY(512)    NULL,
    version             INT UNSIGNED      NOT NULL DEFAULT 1,
    created_at          DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY name (name),
    KEY connection_configs_target (data_center_id, platform),
    CONSTRAINT connection_configs_data_center_fk FOREIGN KEY (data_center_id) REFERENCES data_centers (id),
    CONSTRAINT connection_configs_platform_known CHECK (platform IN ('traffic_gateway', 'app_platform', 'database')),
    CONSTRAINT connection_configs_kind_known CHECK (kind IN ('test', 'cloud')),
    CONSTRAINT connection_configs_protocol_known CHECK (protocol IN ('http')),
    CONSTRAINT connection_configs_port_range CHECK (port BETWEEN 1 AND 65535)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE product_groups (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(100)    NOT NULL,
    description TEXT            NOT NULL DEFAULT '',
    version     INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE applications (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_group_id BIGINT UNSIGNED NOT NULL,
    name             VARCHAR(100)    NOT NULL,
    description      TEXT            NOT NULL DEFAULT '',
    UNIQUE KEY name (product_group_id, name),
    CONSTRAINT applications_product_group_fk FOREIGN KEY (product_group_id) REFERENCES product_groups (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- "application_id needs depends_on_id": restarts bring depends_on_id up first.
CREATE TABLE application_dependencies (
    application_id BIGINT UNSIGNED NOT NULL,
    depends_on_id  BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (application_id, depends_on_id),
    KEY application_dependencies_depends_on (depends_on_id),
    CONSTRAINT application_dependencies_application_fk FOREIGN KEY (application_id) REFERENCES applications (id) ON DELETE CASCADE,
    CONSTRAINT application_dependencies_depends_on_fk FOREIGN KEY (depends_on_id) REFERENCES applications (id) ON DELETE CASCADE,
    CONSTRAINT application_dependencies_not_self CHECK (application_id <> depends_on_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE database_clusters (
    id                     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name                   VARCHAR(100)    NOT NULL,
    description            TEXT            NOT NULL DEFAULT '',
    primary_data_center_id BIGINT UNSIGNED NOT NULL,
    version                INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at             DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at             DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY name (name),
    CONSTRAINT database_clusters_primary_fk FOREIGN KEY (primary_data_center_id) REFERENCES data_centers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The data centers that hold a copy of a cluster (the primary among them).
CREATE TABLE database_cluster_members (
    cluster_id     BIGINT UNSIGNED NOT NULL,
    data_center_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (cluster_id, data_center_id),
    KEY database_cluster_members_data_center (data_center_id),
    CONSTRAINT database_cluster_members_cluster_fk FOREIGN KEY (cluster_id) REFERENCES database_clusters (id) ON DELETE CASCADE,
    CONSTRAINT database_cluster_members_data_center_fk FOREIGN KEY (data_center_id) REFERENCES data_centers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
