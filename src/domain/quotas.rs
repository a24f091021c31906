//! Per-user hourly quotas by request class, in fixed one-hour windows. Pure bookkeeping: the caller
//! passes the time and keeps the table; every token of a user counts against the same entry.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::accounts::UserId;

/// The kinds of request that have their own hourly quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuotaClass {
    General,
    Content,
    Assessment,
    Analytics,
}

impl QuotaClass {
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaClass::General => "general",
            QuotaClass::Content => "content",
            QuotaClass::Assessment => "assessment",
            QuotaClass::Analytics => "analytics",
        }
    }

    /// The class of an API request. Content generation is any write to the generating routes
    /// (`nclex`, `study-guide`, `study-guides`, `clinical-support`, `practice`); reading what was
    /// generated is general.
    pub fn of(method_is_read: bool, path: &str) -> QuotaClass {
        let rest = path.strip_prefix("/api/v1/").unwrap_or(path);
        let first = rest.split('/').next().unwrap_or("");
        match first {
            "nclex" | "study-guide" | "study-guides" | "clinical-support" | "practice"
                if !method_is_read =>
            {
                QuotaClass::Content
            }
            // Saving an answer inside an attempt or an adaptive exam is general: a 150-item
            // exam would otherwise spend most of an hour's assessment quota on its own answers.
            "attempts" => QuotaClass::General,
            "cat" if rest.ends_with("/answers") => QuotaClass::General,
            "assessment" | "quizzes" | "cat" => QuotaClass::Assessment,
            "analytics" => QuotaClass::Analytics,
            _ => QuotaClass::General,
        }
    }
}

/// Hourly limits per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaLimits {
    pub general: u32,
    pub content: u32,
    pub assessment: u32,
    pub analytics: u32,
}

impl QuotaLimits {
    pub fn limit(&self, class: QuotaClass) -> u32 {
        match class {
            QuotaClass::General => self.general,
            QuotaClass::Content => self.content,
            QuotaClass::Assessment => self.assessment,
            QuotaClass::Analytics => self.analytics,
        }
    }
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaDecision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Epoch seconds at which the window resets.
    pub reset_at: u64,
    /// Seconds until then (at least 1).
    pub retry_after: u64,
}

const WINDOW_SECS: u64 = 3_600;

/// Counters for every (user, class) seen in the current window.
#[derive(Debug, Default)]
pub struct QuotaTable {
    windows: HashMap<(UserId, QuotaClass), (u64, u32)>,
}

impl QuotaTable {
    /// Counts one request of `user_id` in `class` at `now` (epoch seconds) if the quota allows it.
    pub fn check(
        &mut self,
        user_id: UserId,
        class: QuotaClass,
        limit: u32,
        now: u64,
    ) -> QuotaDecision {
        let window = now / WINDOW_SECS;
        let reset_at = (window + 1) * WINDOW_SECS;
        let entry = self.windows.entry((user_id, class)).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < limit;
        if allowed {
            entry.1 += 1;
        }
        QuotaDecision {
            allowed,
            limit,
            remaining: limit.saturating_sub(entry.1),
            reset_at,
            retry_after: (reset_at - now).max(1),
        }
    }

    /// Drops entries of past windows so the table stays as small as the set of active users.
    pub fn prune(&mut self, now: u64) {
        let window = now / WINDOW_SECS;
        self.windows
            .retain(|_, (entry_window, _)| *entry_window == window);
    }

    pub fn len(&self) -> usize {
        self.windows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_path_and_method() {
        let cases = [
            (false, "/api/v1/nclex/generate", QuotaClass::Content),
            (false, "/api/v1/study-guides/", QuotaClass::Content),
            (false, "/api/v1/study-guide/create", QuotaClass::Content),
            (true, "/api/v1/study-guides/", QuotaClass::General),
            (
                false,
                "/api/v1/assessment/competency",
                QuotaClass::Assessment,
            ),
            (
                true,
                "/api/v1/analytics/student/5/progress",
                QuotaClass::Analytics,
            ),
            (true, "/api/v1/auth/me", QuotaClass::General),
            (false, "/api/v1/nclexish", QuotaClass::General),
            (false, "/api/v1/quizzes/3/attempts", QuotaClass::Assessment),
            (false, "/api/v1/cat/sessions", QuotaClass::Assessment),
            (false, "/api/v1/cat/sessions/7/answers", QuotaClass::General),
            (
                false,
                "/api/v1/attempts/9/responses/item-1",
                QuotaClass::General,
            ),
            (false, "/api/v1/attempts/9/submit", QuotaClass::General),
        ];
        for (read, path, expected) in cases {
            assert_eq!(QuotaClass::of(read, path), expected, "{path}");
        }
    }

    #[test]
    fn the_fifty_first_call_in_an_hour_is_refused_until_the_window_resets() {
        let mut table = QuotaTable::default();
        let start = 7_200 + 100;
        for call in 0..50 {
            let decision = table.check(UserId(1), QuotaClass::Content, 50, start + call);
            assert!(decision.allowed, "call {call}");
            assert_eq!(decision.remaining, 49 - call as u32);
        }
        let refused = table.check(UserId(1), QuotaClass::Content, 50, start + 60);
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.reset_at, 10_800);
        assert_eq!(refused.retry_after, 10_800 - (start + 60));
        // Another user and another class are untouched.
        assert!(
            table
                .check(UserId(2), QuotaClass::Content, 50, start)
                .allowed
        );
        assert!(
            table
                .check(UserId(1), QuotaClass::General, 1_000, start)
                .allowed
        );
        // The next window starts afresh.
        assert!(
            table
                .check(UserId(1), QuotaClass::Content, 50, 10_800)
                .allowed
        );
    }

    #[test]
    fn pruning_keeps_only_the_current_window() {
        let mut table = QuotaTable::default();
        table.check(UserId(1), QuotaClass::General, 10, 100);
        table.check(UserId(2), QuotaClass::General, 10, 3_700);
        table.prune(3_700);
        assert_eq!(table.len(), 1);
    }
}
