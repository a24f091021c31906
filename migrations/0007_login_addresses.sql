-- Lockout that cannot be used against the owner: failures are counted in memory per account and
-- client address; an address an account signed in from recently stays open to it when strangers
-- have used up the account's hourly failures. Addresses are stored as the lockout keys them
-- (IPv4 as is, IPv6 as its /64 network).
CREATE TABLE known_login_addresses (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address       TEXT NOT NULL,
    -- Unix seconds of the latest successful sign-in from this address.
    last_login_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, address)
) STRICT, WITHOUT ROWID;

-- The persistent account lock is gone: a lock that anyone who knows a username could set, for
-- every address and across restarts, was the weakness.
ALTER TABLE users DROP COLUMN locked_until;
ALTER TABLE users DROP COLUMN failed_logins;
