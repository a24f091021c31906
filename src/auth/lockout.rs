//! The login lockout rules, as plain functions over an in-memory book of recent failures with the
//! time passed in, so that knowing a username is not enough to lock its owner out.
//!
//! Three limits, each over a sliding window (the last `n` failures are kept; the limit holds while
//! the oldest of them is younger than the window):
//!
//! - **account at address**: `lockout_threshold` failures for one account from one address (IPv6 by
//!   /64) within `lockout_minutes` refuse that account *from that address* until the oldest of
//!   them is `lockout_minutes` old. The owner elsewhere is unaffected.
//! - **account**: [`ACCOUNT_FAILURES_PER_HOUR`] failures for one account from anywhere within an
//!   hour refuse that account from every address it has not signed in from within
//!   [`KNOWN_ADDRESS_DAYS`] days. Addresses it has signed in from are still checked.
//! - **address**: [`ADDRESS_FAILURE_LIMIT`] failures from one address within [`ADDRESS_WINDOW`]
//!   refuse, from that address, every account not known there: a classroom behind one NAT address
//!   whose students have signed in before keeps working while a guesser there is stopped.
//!
//! A refused attempt checks no password, so it is not a guess and counts toward nothing. Unknown
//! usernames are treated exactly like real ones (they are never known anywhere), so lockout reveals
//! nothing about which accounts exist.
//!
//! The bound: from addresses where an account has not signed in within 30 days, at most
//! [`ACCOUNT_FAILURES_PER_HOUR`] (20) guesses per account per hour; from each address where it has,
//! at most `lockout_threshold` per `lockout_minutes` (5 per 15 minutes, 20 per hour, by default).
//!
//! The book lives in memory: a restart forgets it (an attacker cannot cause one), and no lock
//! outlives the process. Known addresses are stored (`db::accounts::known_login_addresses`).
//!
//! A new password ends every lock on its account. The server forgets the account's failures when
//! it sets one itself; a reset from the command line (another process) is noticed at the next
//! attempt, because each failure of an existing account remembers the account's password epoch
//! (`users.session_epoch`, raised by every change or reset) and a newer epoch clears the failures
//! ([`LockoutBook::observe_password_epoch`]).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failures per account per hour, from all addresses together, before the account may be tried
/// only from addresses it is known at.
pub const ACCOUNT_FAILURES_PER_HOUR: u32 = 20;
pub const ACCOUNT_WINDOW: Duration = Duration::from_secs(3_600);
/// Failures from one address in [`ADDRESS_WINDOW`] before that address may try only accounts that
/// have signed in from it.
pub const ADDRESS_FAILURE_LIMIT: u32 = 30;
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a successful sign-in makes its address known for the account.
pub const KNOWN_ADDRESS_DAYS: u64 = 30;

/// Entries kept before the book drops those whose windows have all passed.
const PRUNE_ABOVE: usize = 50_000;

/// A client address as the lockout sees it: IPv4 as is, IPv6 by its /64 network (one household or
/// device usually holds a whole /64), IPv4-mapped IPv6 as IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressKey(IpAddr);

impl AddressKey {
    pub fn of(address: IpAddr) -> AddressKey {
        match address {
            IpAddr::V4(v4) => AddressKey(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => AddressKey(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & !((1u128 << 64) - 1);
                    AddressKey(IpAddr::V6(network.into()))
                }
            },
        }
    }
}

/// `192.0.2.7` or `2001:db8:1:2::/64`: the form stored for known addresses.
impl std::fmt::Display for AddressKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// The limits a [`LockoutBook`] applies.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    /// Failures for one account from one address before that pair is refused (`lockout_threshold`).
    pub threshold: u32,
    /// The window and lock length for one account at one address (`lockout_minutes`).
    pub lockout: Duration,
    pub account_per_hour: u32,
    pub address_limit: u32,
    pub address_window: Duration,
}

impl LockoutPolicy {
    pub fn new(threshold: u32, lockout: Duration) -> LockoutPolicy {
        LockoutPolicy {
            threshold: threshold.max(1),
            lockout,
            account_per_hour: ACCOUNT_FAILURES_PER_HOUR,
            address_limit: ADDRESS_FAILURE_LIMIT,
            address_window: ADDRESS_WINDOW,
        }
    }
}

/// What to do with a login attempt before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password.
    Check,
    /// Too many failures for this account from this address.
    LockedHere { retry_after: Duration },
    /// Too many failures for this account from everywhere; this address is not known for it.
    AccountLimited { retry_after: Duration },
    /// Too many failures from this address; this account is not known here.
    AddressLimited { retry_after: Duration },
}

/// The most recent failures, at most `keep` of them, oldest first.
#[derive(Debug, Default, Clone)]
struct Recent(VecDeque<Instant>);

impl Recent {
    fn push(&mut self, now: Instant, keep: u32) {
        self.0.push_back(now);
        while self.0.len() > keep as usize {
            self.0.pop_front();
        }
    }

    /// When `limit` failures lie within `window` of `now`, how long until the oldest leaves it.
    fn full(&self, limit: u32, window: Duration, now: Instant) -> Option<Duration> {
        if self.0.len() < limit as usize {
            return None;
        }
        let oldest = *self.0.front()?;
        let wait = (oldest + window).saturating_duration_since(now);
        (!wait.is_zero()).then_some(wait)
    }

    fn live(&self, window: Duration, now: Instant) -> bool {
        self.0
            .back()
            .is_some_and(|last| now.saturating_duration_since(*last) < window)
    }
}

/// Recent login failures by account at address, by account, and by address. Accounts are keyed by
/// canonical username, so unknown names are counted like real ones.
#[derive(Debug, Default)]
pub struct LockoutBook {
    pairs: HashMap<(String, AddressKey), Recent>,
    accounts: HashMap<String, Recent>,
    addresses: HashMap<AddressKey, Recent>,
    /// The password epoch the account's failures were made under, for existing accounts.
    epochs: HashMap<String, i64>,
}

impl LockoutBook {
    /// Decides whether `account`'s password may be checked for an attempt from `address`;
    /// `known` says whether the account signed in from that address recently.
    pub fn verdict(
        &self,
        policy: &LockoutPolicy,
        account: &str,
        address: AddressKey,
        known: bool,
        now: Instant,
    ) -> Verdict {
        let pair = self
            .pairs
            .get(&(account.to_owned(), address))
            .and_then(|recent| recent.full(policy.threshold, policy.lockout, now));
        if let Some(retry_after) = pair {
            return Verdict::LockedHere { retry_after };
        }
        if known {
            return Verdict::Check;
        }
        let account_full = self
            .accounts
            .get(account)
            .and_then(|recent| recent.full(policy.account_per_hour, ACCOUNT_WINDOW, now));
        if let Some(retry_after) = account_full {
            return Verdict::AccountLimited { retry_after };
        }
        let address_full = self
            .addresses
            .get(&address)
            .and_then(|recent| recent.full(policy.address_limit, policy.address_window, now));
        if let Some(retry_after) = address_full {
            return Verdict::AddressLimited { retry_after };
        }
        Verdict::Check
    }

    /// Counts a checked, wrong password. Returns true when this failure locked the account at this
    /// address.
    pub fn record_failure(
        &mut self,
        policy: &LockoutPolicy,
        account: &str,
        address: AddressKey,
        now: Instant,
    ) -> bool {
        if self.pairs.len() + self.accounts.len() + self.addresses.len() > PRUNE_ABOVE {
            self.prune(policy, now);
        }
        let pair = self.pairs.entry((account.to_owned(), address)).or_default();
        pair.push(now, policy.threshold);
        let locked = pair.full(policy.threshold, policy.lockout, now).is_some();
        self.accounts
            .entry(account.to_owned())
            .or_default()
            .push(now, policy.account_per_hour);
        self.addresses
            .entry(address)
            .or_default()
            .push(now, policy.address_limit);
        locked
    }

    /// Notes the password epoch of an existing account that failed under `epoch`; the next
    /// [`observe_password_epoch`](Self::observe_password_epoch) with a newer one clears its failures.
    pub fn note_failure_epoch(&mut self, account: &str, epoch: i64) {
        self.epochs.insert(account.to_owned(), epoch);
    }

    /// The account's current password epoch, read with the attempt: when it differs from the
    /// epoch its failures were made under, the password was changed or reset since (possibly by
    /// another process), and every lock on the account ends.
    pub fn observe_password_epoch(&mut self, account: &str, epoch: i64) {
        if self
            .epochs
            .get(account)
            .is_some_and(|noted| *noted != epoch)
        {
            self.forget_account(account);
        }
    }

    /// A correct password from `address`: the failures of this account at this address are
    /// forgotten (the others stay: they may be someone else's).
    pub fn record_success(&mut self, account: &str, address: AddressKey) {
        self.pairs.remove(&(account.to_owned(), address));
    }

    /// An administrator set a new password: every lock on the account ends.
    pub fn forget_account(&mut self, account: &str) {
        self.pairs.retain(|(name, _), _| name != account);
        self.accounts.remove(account);
        self.epochs.remove(account);
    }

    fn prune(&mut self, policy: &LockoutPolicy, now: Instant) {
        self.pairs
            .retain(|_, recent| recent.live(policy.lockout, now));
        self.accounts
            .retain(|_, recent| recent.live(ACCOUNT_WINDOW, now));
        self.addresses
            .retain(|_, recent| recent.live(policy.address_window, now));
        let with_pairs: std::collections::HashSet<&str> =
            self.pairs.keys().map(|(name, _)| name.as_str()).collect();
        let accounts = &self.accounts;
        self.epochs.retain(|account, _| {
            accounts.contains_key(account) || with_pairs.contains(account.as_str())
        });
    }

    pub fn len(&self) -> usize {
        self.pairs.len() + self.accounts.len() + self.addresses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LockoutPolicy {
        LockoutPolicy::new(5, Duration::from_secs(15 * 60))
    }

    fn addr(text: &str) -> AddressKey {
        AddressKey::of(text.parse().unwrap())
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn ipv6_addresses_count_by_their_64_network_and_mapped_ipv4_as_ipv4() {
        assert_eq!(addr("2001:db8:1:2::1"), addr("2001:db8:1:2:ffff::9"));
        assert_ne!(addr("2001:db8:1:2::1"), addr("2001:db8:1:3::1"));
        assert_eq!(addr("2001:db8:1:2::1").to_string(), "2001:db8:1:2::/64");
        assert_eq!(addr("::ffff:192.0.2.7"), addr("192.0.2.7"));
        assert_eq!(addr("192.0.2.7").to_string(), "192.0.2.7");
        assert_ne!(addr("192.0.2.7"), addr("192.0.2.8"));
    }

    #[test]
    fn a_newer_password_epoch_ends_every_lock_on_the_account() {
        let (policy, mut book, now) = (policy(), LockoutBook::default(), Instant::now());
        let (here, there) = (addr("198.51.100.1"), addr("203.0.113.5"));
        for _ in 0..5 {
            book.record_failure(&policy, "alice", here, now);
            book.note_failure_epoch("alice", 3);
            book.record_failure(&policy, "bob", here, now);
            book.note_failure_epoch("bob", 1);
        }
        for _ in 0..ACCOUNT_FAILURES_PER_HOUR {
            book.record_failure(&policy, "alice", there, now);
        }
        // The same epoch changes nothing.
        book.observe_password_epoch("alice", 3);
        assert!(matches!(
            book.verdict(&policy, "alice", here, false, now),
            Verdict::LockedHere { .. }
        ));
        // A reset (elsewhere) raised it: alice is checked everywhere again, bob still locked.
        book.observe_password_epoch("alice", 4);
        assert_eq!(
            book.verdict(&policy, "alice", here, false, now),
            Verdict::Check
        );
        assert_eq!(
            book.verdict(&policy, "alice", there, false, now),
            Verdict::Check
        );
        assert!(matches!(
            book.verdict(&policy, "bob", here, false, now),
            Verdict::LockedHere { .. }
        ));
        // An epoch seen for an account with no noted failures is no reason to forget anything.
        book.observe_password_epoch("bob", 1);
        assert!(matches!(
            book.verdict(&policy, "bob", here, false, now),
            Verdict::LockedHere { .. }
        ));
    }

    #[test]
    fn failures_from_one_address_lock_the_account_there_only() {
        let (policy, mut book, now) = (policy(), LockoutBook::default(), Instant::now());
        let (attacker, owner) = (addr("198.51.100.1"), addr("203.0.113.5"));
        for n in 1..=5 {
            let locked = book.record_failure(&policy, "alice", attacker, now);
            assert_eq!(locked, n == 5);
        }
        assert!(matches!(
            book.verdict(&policy, "alice", attacker, false, now),
            Verdict::LockedHere { retry_after } if retry_after == 15 * MINUTE
        ));
        // The owner elsewhere, known there or not, is checked; other accounts from the attacker too.
        assert_eq!(
            book.verdict(&policy, "alice", owner, true, now),
            Verdict::Check
        );
        assert_eq!(
            book.verdict(&policy, "alice", owner, false, now),
            Verdict::Check
        );
        assert_eq!(
            book.verdict(&policy, "bob", attacker, false, now),
            Verdict::Check
        );
        // The lock ends when the oldest failure is lockout_minutes old.
        assert_eq!(
            book.verdict(&policy, "alice", attacker, false, now + 15 * MINUTE),
            Verdict::Check
        );
    }

    #[test]
    fn the_pair_limit_is_a_sliding_window() {
        let (policy, mut book, start) = (policy(), LockoutBook::default(), Instant::now());
        let here = addr("198.51.100.1");
        for n in 0..4 {
            book.record_failure(&policy, "alice", here, start + n * MINUTE);
        }
        // The fifth failure, 14 minutes after the first, locks until the first is 15 minutes old.
        assert!(book.record_failure(&policy, "alice", here, start + 14 * MINUTE));
        assert_eq!(
            book.verdict(&policy, "alice", here, true, start + 14 * MINUTE),
            Verdict::LockedHere {
                retry_after: MINUTE
            }
        );
        // Then one more guess is allowed, and the next lock lasts until the second is 15 old.
        let later = start + 15 * MINUTE;
        assert_eq!(
            book.verdict(&policy, "alice", here, true, later),
            Verdict::Check
        );
        assert!(book.record_failure(&policy, "alice", here, later));
        assert_eq!(
            book.verdict(&policy, "alice", here, true, later),
            Verdict::LockedHere {
                retry_after: MINUTE
            }
        );
    }

    #[test]
    fn many_addresses_reach_the_account_cap_which_spares_known_addresses() {
        let (policy, mut book, now) = (policy(), LockoutBook::default(), Instant::now());
        for n in 0..ACCOUNT_FAILURES_PER_HOUR {
            let address = addr(&format!("198.51.100.{n}"));
            book.record_failure(&policy, "admin", address, now);
        }
        let (home, new_place) = (addr("203.0.113.5"), addr("203.0.113.6"));
        assert_eq!(
            book.verdict(&policy, "admin", home, true, now),
            Verdict::Check
        );
        assert_eq!(
            book.verdict(&policy, "admin", new_place, false, now),
            Verdict::AccountLimited {
                retry_after: ACCOUNT_WINDOW
            }
        );
        assert_eq!(
            book.verdict(&policy, "bob", new_place, false, now),
            Verdict::Check
        );
        assert_eq!(
            book.verdict(&policy, "admin", new_place, false, now + ACCOUNT_WINDOW),
            Verdict::Check
        );
    }

    #[test]
    fn a_busy_address_may_still_try_accounts_known_there() {
        let (policy, mut book, now) = (policy(), LockoutBook::default(), Instant::now());
        let classroom = addr("192.0.2.10");
        for n in 0..ADDRESS_FAILURE_LIMIT {
            book.record_failure(&policy, &format!("guess{}", n / 4), classroom, now);
        }
        assert_eq!(
            book.verdict(&policy, "student", classroom, true, now),
            Verdict::Check
        );
        assert_eq!(
            book.verdict(&policy, "stranger", classroom, false, now),
            Verdict::AddressLimited {
                retry_after: ADDRESS_WINDOW
            }
        );
        assert_eq!(
            book.verdict(&policy, "stranger", addr("192.0.2.11"), false, now),
            Verdict::Check
        );
    }

    #[test]
    fn guesses_per_account_per_hour_are_bounded_as_documented() {
        // An attacker with a thousand addresses, none known for the account, trying every minute.
        let (policy, mut book, start) = (policy(), LockoutBook::default(), Instant::now());
        let mut checked = 0;
        for minute in 0..60u32 {
            for n in 0..1_000u32 {
                let address = addr(&format!("10.{}.{}.1", n / 250, n % 250));
                let now = start + minute * MINUTE;
                if book.verdict(&policy, "admin", address, false, now) == Verdict::Check {
                    checked += 1;
                    book.record_failure(&policy, "admin", address, now);
                }
            }
        }
        assert_eq!(checked, ACCOUNT_FAILURES_PER_HOUR);
        // One known address shared with the attacker adds threshold per lockout window.
        let (mut book, shared) = (LockoutBook::default(), addr("192.0.2.10"));
        let mut checked = 0;
        for second in 0..3_600u32 {
            let now = start + Duration::from_secs(u64::from(second));
            if book.verdict(&policy, "admin", shared, true, now) == Verdict::Check {
                checked += 1;
                book.record_failure(&policy, "admin", shared, now);
            }
        }
        assert_eq!(checked, 4 * policy.threshold);
    }

    #[test]
    fn success_clears_only_its_own_address_and_a_reset_clears_all() {
        let (policy, mut book, now) = (policy(), LockoutBook::default(), Instant::now());
        let (a, b) = (addr("198.51.100.1"), addr("198.51.100.2"));
        for _ in 0..5 {
            book.record_failure(&policy, "alice", a, now);
            book.record_failure(&policy, "alice", b, now);
        }
        book.record_success("alice", a);
        assert_eq!(book.verdict(&policy, "alice", a, true, now), Verdict::Check);
        assert!(matches!(
            book.verdict(&policy, "alice", b, true, now),
            Verdict::LockedHere { .. }
        ));
        book.forget_account("alice");
        assert_eq!(
            book.verdict(&policy, "alice", b, false, now),
            Verdict::Check
        );
    }

    #[test]
    fn the_book_forgets_what_has_expired_when_it_grows() {
        let (policy, mut book, now) = (policy(), LockoutBook::default(), Instant::now());
        for n in 0..(PRUNE_ABOVE as u32 / 2 + 10) {
            book.record_failure(&policy, &format!("u{n}"), addr("198.51.100.1"), now);
        }
        let before = book.len();
        book.record_failure(
            &policy,
            "late",
            addr("198.51.100.2"),
            now + 2 * ACCOUNT_WINDOW,
        );
        assert!(book.len() < before);
        assert_eq!(book.len(), 3);
    }
}
