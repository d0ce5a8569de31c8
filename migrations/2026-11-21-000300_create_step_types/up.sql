-- The step catalog. Rows are written by the server at every start from the built-in
-- definitions in the code (an idempotent upsert), so every database has them.
CREATE TABLE step_types (
    opcode      VARCHAR(64)  NOT NULL PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    description TEXT         NOT NULL,
    layer       VARCHAR(16)  NOT NULL,
    params      JSON         NOT NULL,
    sort_order  INT          NOT NULL DEFAULT 0,
    CONSTRAINT step_types_layer_known CHECK (layer IN ('network', 'application', 'data', 'control'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
