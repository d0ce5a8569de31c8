-- One connection config per data center, platform and kind, so the engine never has to
-- choose between two. The key is named after the field the console shows the clash on.
--
-- A database that already holds two such configs is not changed: deleting one here could
-- drop the one in use. The check below stops the upgrade first, naming the configs, so an
-- operator can delete or change all but one and start again. It is a throwaway procedure
-- because MySQL, unlike MariaDB, allows neither a compound statement (`BEGIN NOT ATOMIC`)
-- outside stored programs nor SIGNAL in a prepared statement. If the check stops the
-- upgrade, the procedure stays behind; the next attempt replaces it.
DROP PROCEDURE IF EXISTS refuse_duplicate_connection_targets;

CREATE PROCEDURE refuse_duplicate_connection_targets()
BEGIN
    DECLARE clash TEXT;
    SELECT MIN(described) INTO clash FROM (
        SELECT CONCAT(d.name, ' has ', COUNT(*), ' ', c.kind, ' ', c.platform, ' configs: ',
                      GROUP_CONCAT(c.name ORDER BY c.name SEPARATOR ', ')) AS described
        FROM connection_configs c JOIN data_centers d ON d.id = c.data_center_id
        GROUP BY c.data_center_id, d.name, c.platform, c.kind
        HAVING COUNT(*) > 1
    ) clashes;
    IF clash IS NOT NULL THEN
        -- MySQL takes at most 128 characters of message.
        SET clash = LEFT(CONCAT('Keep one config per data center, platform and kind: ', clash), 128);
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = clash;
    END IF;
END;

CALL refuse_duplicate_connection_targets();
DROP PROCEDURE refuse_duplicate_connection_targets;

-- `connection_configs_target (data_center_id, platform)` is a prefix of the new key, which
-- also serves the data center's foreign key.
ALTER TABLE connection_configs
    ADD UNIQUE KEY platform (data_center_id, platform, kind),
    DROP INDEX connection_configs_target;
