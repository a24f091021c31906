//! systemd integration of the server (`Type=notify`): `READY=1` once the listeners accept,
//! `WATCHDOG=1` at half the unit's `WatchdogSec` while the runtime is alive, `STOPPING=1` when a
//! stop begins. Every call is a no-op when the process was not started by systemd (`NOTIFY_SOCKET`
//! unset), so the same binary runs from a shell, a container or CI.

use std::time::Duration;

use sd_notify::NotifyState;

/// Tells systemd the server is ready.
pub fn notify_ready(status: &str) {
    if let Err(error) = sd_notify::notify(&[NotifyState::Ready, NotifyState::Status(status)]) {
        tracing::warn!(%error, "could not notify systemd of readiness");
    }
}

/// Tells systemd the server is stopping.
pub fn notify_stopping() {
    let _ = sd_notify::notify(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

/// Pings the watchdog at half its interval from a runtime task, so a wedged runtime gets the
/// service restarted. `None` when the unit has no `WatchdogSec`.
pub fn spawn_watchdog() -> Option<tokio::task::JoinHandle<()>> {
    let timeout = sd_notify::watchdog_enabled()?;
    let every = (timeout / 2).max(Duration::from_millis(100));
    tracing::info!(
        interval_ms = every.as_millis() as u64,
        "systemd watchdog enabled"
    );
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            let _ = sd_notify::notify(&[NotifyState::Watchdog]);
        }
    }))
}
