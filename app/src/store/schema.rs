//! Diesel's view of the tables in `migrations/` (the shape `diesel print-schema` gives).
//! Keep it in step with every migration.

diesel::table! {
    users (id) {
        id -> Unsigned<BigInt>,
        username -> Varchar,
        display_name -> Varchar,
        role -> Varchar,
        password_hash -> Varchar,
        must_change_password -> Bool,
        language -> Nullable<Varchar>,
        time_zone -> Nullable<Varchar>,
        enabled -> Bool,
        session_generation -> Unsigned<Integer>,
        failed_sign_ins -> Unsigned<Integer>,
        last_failed_at -> Nullable<Datetime>,
        revision -> Unsigned<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    regions (id) {
        id -> Unsigned<BigInt>,
        name -> Varchar,
        created_at -> Datetime,
    }
}

diesel::table! {
    data_centers (id) {
        id -> Unsigned<BigInt>,
        region_id -> Unsigned<BigInt>,
        name -> Varchar,
        description -> Text,
        revision -> Unsigned<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    connection_configs (id) {
        id -> Unsigned<BigInt>,
        name -> Varchar,
        data_center_id -> Unsigned<BigInt>,
        platform -> Varchar,
        kind -> Varchar,
        protocol -> Varchar,
        host -> Varchar,
        port -> Unsigned<SmallInt>,
        username -> Varchar,
        password_ciphertext -> Nullable<Varbinary>,
        revision -> Unsigned<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    product_groups (id) {
        id -> Unsigned<BigInt>,
        name -> Varchar,
        description -> Text,
        revision -> Unsigned<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    applications (id) {
        id -> Unsigned<BigInt>,
        product_group_id -> Unsigned<BigInt>,
        name -> Varchar,
        description -> Text,
    }
}

diesel::table! {
    application_dependencies (application_id, depends_on_id) {
        application_id -> Unsigned<BigInt>,
        depends_on_id -> Unsigned<BigInt>,
    }
}

diesel::table! {
    database_clusters (id) {
        id -> Unsigned<BigInt>,
        name -> Varchar,
        description -> Text,
        primary_data_center_id -> Unsigned<BigInt>,
        revision -> Unsigned<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    database_cluster_members (cluster_id, data_center_id) {
        cluster_id -> Unsigned<BigInt>,
        data_center_id -> Unsigned<BigInt>,
    }
}

diesel::table! {
    step_types (opcode) {
        opcode -> Varchar,
        name -> Varchar,
        description -> Text,
        layer -> Varchar,
        params -> Json,
        sort_order -> Integer,
    }
}

diesel::table! {
    plans (id) {
        id -> Unsigned<BigInt>,
        name -> Varchar,
        description -> Text,
        status -> Varchar,
        active_version_id -> Nullable<Unsigned<BigInt>>,
        created_by -> Nullable<Unsigned<BigInt>>,
        updated_by -> Nullable<Unsigned<BigInt>>,
        revision -> Unsigned<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    plan_versions (id) {
        id -> Unsigned<BigInt>,
        plan_id -> Unsigned<BigInt>,
        number -> Unsigned<Integer>,
        state -> Varchar,
        name -> Varchar,
        description -> Text,
        rto_minutes -> Nullable<Unsigned<Integer>>,
        created_by -> Nullable<Unsigned<BigInt>>,
        created_at -> Datetime,
        updated_by -> Nullable<Unsigned<BigInt>>,
        updated_at -> Datetime,
        submitted_by -> Nullable<Unsigned<BigInt>>,
        submitted_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    plan_version_editors (plan_version_id, user_id) {
        plan_version_id -> Unsigned<BigInt>,
        user_id -> Unsigned<BigInt>,
    }
}

diesel::table! {
    plan_reviews (id) {
        id -> Unsigned<BigInt>,
        plan_version_id -> Unsigned<BigInt>,
        reviewer_id -> Unsigned<BigInt>,
        decision -> Varchar,
        comment -> Text,
        created_at -> Datetime,
    }
}

diesel::table! {
    plan_steps (id) {
        id -> Unsigned<BigInt>,
        plan_version_id -> Unsigned<BigInt>,
        phase -> Varchar,
        position -> Unsigned<Integer>,
        step_key -> Varchar,
        opcode -> Varchar,
        title -> Varchar,
        params -> Json,
    }
}

diesel::table! {
    executions (id) {
        id -> Unsigned<BigInt>,
        run_key -> Char,
        plan_id -> Nullable<Unsigned<BigInt>>,
        plan_version_id -> Nullable<Unsigned<BigInt>>,
        plan_name -> Varchar,
        plan_version_number -> Unsigned<Integer>,
        rto_minutes -> Nullable<Unsigned<Integer>>,
        failed_data_center_id -> Unsigned<BigInt>,
        emergency_data_center_id -> Unsigned<BigInt>,
        description -> Text,
        drill -> Bool,
        state -> Varchar,
        created_by -> Nullable<Unsigned<BigInt>>,
        created_at -> Datetime,
        started_at -> Nullable<Datetime>,
        started_by -> Nullable<Unsigned<BigInt>>,
        switchover_done_at -> Nullable<Datetime>,
        recovery_started_at -> Nullable<Datetime>,
        finished_at -> Nullable<Datetime>,
        updated_at -> Datetime,
        last_seq -> Unsigned<BigInt>,
        revision -> Unsigned<Integer>,
    }
}

diesel::table! {
    execution_steps (id) {
        id -> Unsigned<BigInt>,
        execution_id -> Unsigned<BigInt>,
        phase -> Varchar,
        position -> Unsigned<Integer>,
        step_key -> Varchar,
        opcode -> Varchar,
        title -> Varchar,
        params -> Json,
        resolved -> Nullable<Json>,
        status -> Varchar,
        attempts -> Unsigned<Integer>,
        started_at -> Nullable<Datetime>,
        finished_at -> Nullable<Datetime>,
        last_error -> Nullable<Text>,
        decided_by -> Nullable<Unsigned<BigInt>>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    execution_leases (execution_id) {
        execution_id -> Unsigned<BigInt>,
        owner -> Nullable<Varchar>,
        fencing_token -> Unsigned<BigInt>,
        expires_at -> Nullable<Datetime>,
        writes -> Unsigned<BigInt>,
    }
}

diesel::table! {
    execution_calls (id) {
        id -> Unsigned<BigInt>,
        execution_step_id -> Unsigned<BigInt>,
        attempt -> Unsigned<Integer>,
        idempotency_key -> Varchar,
        connection_config_id -> Nullable<Unsigned<BigInt>>,
        connection_config_name -> Nullable<Varchar>,
        method -> Varchar,
        path -> Text,
        operation_id -> Nullable<Varchar>,
        status -> Varchar,
        http_status -> Nullable<Unsigned<SmallInt>>,
        sent_at -> Datetime,
        updated_at -> Datetime,
        finished_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    execution_step_logs (id) {
        id -> Unsigned<BigInt>,
        execution_step_id -> Unsigned<BigInt>,
        attempt -> Unsigned<Integer>,
        at -> Datetime,
        level -> Varchar,
        message -> Text,
    }
}

diesel::table! {
    execution_events (execution_id, seq) {
        execution_id -> Unsigned<BigInt>,
        seq -> Unsigned<BigInt>,
        at -> Datetime,
        kind -> Varchar,
        payload -> Json,
    }
}

diesel::table! {
    execution_comments (id) {
        id -> Unsigned<BigInt>,
        execution_id -> Unsigned<BigInt>,
        author_id -> Nullable<Unsigned<BigInt>>,
        at -> Datetime,
        body -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Unsigned<BigInt>,
        at -> Datetime,
        actor_id -> Nullable<Unsigned<BigInt>>,
        actor_name -> Varchar,
        actor_role -> Nullable<Varchar>,
        action -> Varchar,
        target_kind -> Nullable<Varchar>,
        target_id -> Nullable<Varchar>,
        outcome -> Varchar,
        reason -> Nullable<Text>,
        client_addr -> Nullable<Varchar>,
        journal_key -> Nullable<Varchar>,
    }
}

diesel::table! {
    plan_readiness (plan_id) {
        plan_id -> Unsigned<BigInt>,
        state -> Varchar,
        problems -> Json,
        pairs -> Json,
        checked_at -> Datetime,
    }
}

diesel::table! {
    settings (name) {
        name -> Varchar,
        value -> Varchar,
        updated_at -> Datetime,
    }
}

diesel::joinable!(data_centers -> regions (region_id));
diesel::joinable!(connection_configs -> data_centers (data_center_id));
diesel::joinable!(applications -> product_groups (product_group_id));
diesel::joinable!(database_clusters -> data_centers (primary_data_center_id));
diesel::joinable!(database_cluster_members -> database_clusters (cluster_id));
diesel::joinable!(database_cluster_members -> data_centers (data_center_id));
diesel::joinable!(plan_versions -> plans (plan_id));
diesel::joinable!(plan_reviews -> plan_versions (plan_version_id));
diesel::joinable!(plan_version_editors -> users (user_id));
diesel::joinable!(plan_reviews -> users (reviewer_id));
diesel::joinable!(plan_steps -> plan_versions (plan_version_id));
diesel::joinable!(plan_steps -> step_types (opcode));
diesel::joinable!(execution_steps -> executions (execution_id));
diesel::joinable!(execution_steps -> users (decided_by));
diesel::joinable!(execution_leases -> executions (execution_id));
diesel::joinable!(execution_calls -> execution_steps (execution_step_id));
diesel::joinable!(execution_calls -> connection_configs (connection_config_id));
diesel::joinable!(execution_step_logs -> execution_steps (execution_step_id));
diesel::joinable!(execution_events -> executions (execution_id));
diesel::joinable!(execution_comments -> executions (execution_id));
diesel::joinable!(execution_comments -> users (author_id));
diesel::joinable!(plan_readiness -> plans (plan_id));

diesel::table! {
    instances (name) {
        name -> Varchar,
        data_center -> Nullable<Varchar>,
        version -> Varchar,
        run_mode -> Varchar,
        database_node -> Varchar,
        started_at -> Datetime,
        heartbeat_at -> Datetime,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Unsigned<BigInt>,
        name -> Varchar,
        url -> Varchar,
        secret_sealed -> Varbinary,
        events -> Json,
        enabled -> Bool,
        revision -> Unsigned<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Unsigned<BigInt>,
        webhook_id -> Unsigned<BigInt>,
        event -> Varchar,
        subject -> Varchar,
        payload -> Text,
        status -> Varchar,
        attempts -> Unsigned<Integer>,
        last_status -> Nullable<Unsigned<SmallInt>>,
        last_error -> Nullable<Varchar>,
        created_at -> Datetime,
        next_attempt_at -> Datetime,
        finished_at -> Nullable<Datetime>,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    regions,
    data_centers,
    connection_configs,
    product_groups,
    applications,
    application_dependencies,
    database_clusters,
    database_cluster_members,
    step_types,
    plans,
    plan_versions,
    plan_version_editors,
    plan_reviews,
    plan_steps,
    executions,
    execution_steps,
    execution_leases,
    execution_calls,
    execution_step_logs,
    execution_events,
    execution_comments,
    plan_readiness,
    audit_log,
    settings,
    instances,
    webhooks,
    webhook_deliveries,
);
