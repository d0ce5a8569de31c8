//! The names of what a step does: the `Opcode` of every step type the engine runs, the
//! `Site` a step acts on and the methods of an `http.call`. Everything else in this
//! folder builds on these.

use crate::domain::choice::choice;

choice! {
    /// Every step type the engine can run.
    Opcode {
        TrafficCut = "traffic.cut", "Cut traffic";
        TrafficRestore = "traffic.restore", "Restore traffic";
        AppRestart = "app.restart", "Restart applications";
        DbSwitchover = "db.switchover", "Switch database over";
        DbSwitchback = "db.switchback", "Switch database back";
        Wait = "wait", "Wait";
        ManualConfirm = "manual.confirm", "Manual confirmation";
        HttpCall = "http.call", "HTTP call";
    }
}

choice! {
    /// Which of an execution's two data centers a step acts on.
    Site {
        Failed = "failed", "Failed data center";
        Emergency = "emergency", "Emergency data center";
    }
}

choice! {
    /// The methods an `http.call` step may use.
    HttpMethod {
        Get = "GET", "GET";
        Post = "POST", "POST";
        Put = "PUT", "PUT";
        Delete = "DELETE", "DELETE";
    }
}
