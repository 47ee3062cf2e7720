-- Khaacho's whole Postgres schema.
--
-- Postgres is the truth: everything that is money, an order or a message sent
-- lives here. The file is idempotent (`khaacho migrate` runs it as a whole
-- inside one transaction under an advisory lock; running it twice changes
-- nothing), so a later change is appended as another idempotent statement.
-- Money is numeric, never float.

CREATE TABLE IF NOT EXISTS schema_migrations (
    version     text PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- parties

CREATE TABLE IF NOT EXISTS retailers (
    id                  bigserial PRIMARY KEY,
    phone               text NOT NULL UNIQUE CHECK (phone ~ '^[0-9A-Za-z.:_-]{5,64}$'),
    shop_name           text NOT NULL CHECK (length(shop_name) BETWEEN 1 AND 120),
    owner_name          text,
    area                text NOT NULL CHECK (length(area) BETWEEN 1 AND 80),
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'active', 'blocked')),
    blocked_reason      text,
    credit_limit        numeric(14, 2) NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
    credit_terms_days   integer NOT NULL DEFAULT 30 CHECK (credit_terms_days BETWEEN 1 AND 365),
    language            text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ne')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    approved_at         timestamptz
);
CREATE INDEX IF NOT EXISTS retailers_area_idx ON retailers (area);
CREATE INDEX IF NOT EXISTS retailers_status_idx ON retailers (status);

CREATE TABLE IF NOT EXISTS vendors (
    id          bigserial PRIMARY KEY,
    phone       text NOT NULL UNIQUE CHECK (phone ~ '^[0-9A-Za-z.:_-]{5,64}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    areas       text[] NOT NULL DEFAULT '{}',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vendors_areas_idx ON vendors USING gin (areas);

-- "Vendor serves this area", the one SQL definition (domain/areas.py holds the
-- Python one; tests/domain/test_rules_in_sql.py keeps them giving the same
-- answers). Areas are compared trimmed of the whitespace Python's str.strip()
-- removes, with ASCII letters in lower case (COLLATE "C": the same letters on
-- every server locale); a vendor area '*' serves everywhere.
CREATE OR REPLACE FUNCTION trim_area(area text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT btrim(area, U&'\0009\000A\000B\000C\000D\001C\001D\001E\001F\0020\0085\00A0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200A\2028\2029\202F\205F\3000') $$;
CREATE OR REPLACE FUNCTION normal_area(area text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(trim_area(area) COLLATE "C") $$;
-- PL/pgSQL rather than SQL: a SQL body with a sub-select is not inlined, and
-- ran at 3.5 µs per vendor against 1.6 µs for this loop (cart pricing asks it
-- of every vendor).
CREATE OR REPLACE FUNCTION serves_area(areas text[], area text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    want text := normal_area(area);
    served text;
BEGIN
    FOREACH served IN ARRAY areas LOOP
        IF normal_area(served) IN (want, '*') THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;

-- ---------------------------------------------------------------- catalogue

CREATE TABLE IF NOT EXISTS products (
    id          bigserial PRIMARY KEY,
    sku         text NOT NULL UNIQUE CHECK (length(sku) BETWEEN 1 AND 64),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    unit        text NOT NULL CHECK (unit IN ('kg', 'bag', 'carton', 'packet', 'piece', 'litre',
                                              'bottle', 'tin', 'jar', 'tray', 'bundle', 'dozen',
                                              'box', 'unit')),
    category    text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS products_name_idx ON products (lower(name));
CREATE INDEX IF NOT EXISTS products_category_idx ON products (category);

CREATE TABLE IF NOT EXISTS product_aliases (
    product_id  bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    alias       text NOT NULL CHECK (length(alias) BETWEEN 1 AND 120),
    PRIMARY KEY (product_id, alias)
);
CREATE INDEX IF NOT EXISTS product_aliases_alias_idx ON product_aliases (lower(alias));

-- A vendor's price list. stock NULL means the vendor does not track stock for
-- the product (always available); with a figure, orders reserve from it.
CREATE TABLE IF NOT EXISTS vendor_products (
    vendor_id   bigint NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    product_id  bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    price       numeric(12, 2) NOT NULL CHECK (price > 0),
    stock       numeric(12, 3) CHECK (stock >= 0),
    min_qty     numeric(12, 3) NOT NULL DEFAULT 1 CHECK (min_qty > 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vendor_id, product_id)
);
CREATE INDEX IF NOT EXISTS vendor_products_product_idx ON vendor_products (product_id);

-- Every price a vendor has quoted, for price intelligence over time.
CREATE TABLE IF NOT EXISTS vendor_price_history (
    id          bigserial PRIMARY KEY,
    vendor_id   bigint NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    product_id  bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    price       numeric(12, 2) NOT NULL CHECK (price > 0),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vendor_price_history_idx
    ON vendor_price_history (product_id, vendor_id, recorded_at);

-- ---------------------------------------------------------------- orders

-- Human order numbers (#1042): short, unique, never reused.
CREATE SEQUENCE IF NOT EXISTS order_number_seq START WITH 1001;

CREATE TABLE IF NOT EXISTS orders (
    id               bigserial PRIMARY KEY,
    number           integer NOT NULL UNIQUE DEFAULT nextval('order_number_seq'),
    retailer_id      bigint NOT NULL REFERENCES retailers (id),
    vendor_id        bigint REFERENCES vendors (id),
    -- pending: offered to vendor_id, awaiting an answer until accept_deadline;
    -- unroutable: no vendor left, operators must act.
    status           text NOT NULL
                     CHECK (status IN ('pending', 'accepted', 'dispatched', 'delivered',
                                       'cancelled', 'unroutable')),
    total            numeric(14, 2) NOT NULL CHECK (total >= 0),
    item_count       integer NOT NULL CHECK (item_count > 0),
    source           text NOT NULL DEFAULT 'whatsapp' CHECK (source IN ('whatsapp', 'api', 'cli')),
    idempotency_key  text UNIQUE,
    accept_deadline  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    accepted_at      timestamptz,
    dispatched_at    timestamptz,
    delivered_at     timestamptz,
    cancelled_at     timestamptz,
    CHECK (status NOT IN ('pending', 'accepted', 'dispatched', 'delivered') OR vendor_id IS NOT NULL)
);
-- The order lists (console, admin API, CLI, a retailer's or vendor's recent orders)
-- run newest first with the id breaking ties: with the id in the index they read the
-- page they show, not every order of the shop, the vendor or the status, sorted.
DROP INDEX IF EXISTS orders_retailer_idx;
DROP INDEX IF EXISTS orders_vendor_idx;
DROP INDEX IF EXISTS orders_status_idx;
DROP INDEX IF EXISTS orders_created_idx;
CREATE INDEX IF NOT EXISTS orders_retailer_recent_idx ON orders (retailer_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS orders_vendor_recent_idx ON orders (vendor_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS orders_status_recent_idx ON orders (status, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS orders_recent_idx ON orders (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS orders_deadline_idx ON orders (accept_deadline) WHERE status = 'pending';

-- Which statuses are "open" (on their way: they hold credit) and "void" (never
-- a sale: no figure counts them). domain/order_status.py OPEN and VOID are the
-- Python side; tests/domain/test_rules_in_sql.py keeps them alike. Plain SQL
-- bodies, so Postgres inlines them into `status IN (...)`.
CREATE OR REPLACE FUNCTION order_is_open(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT status IN ('pending', 'accepted', 'dispatched') $$;
CREATE OR REPLACE FUNCTION order_is_void(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT status IN ('cancelled', 'unroutable') $$;

-- Prices are snapshotted: a later price change never alters a placed order.
CREATE TABLE IF NOT EXISTS order_items (
    order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no     integer NOT NULL CHECK (line_no > 0),
    product_id  bigint NOT NULL REFERENCES products (id),
    sku         text NOT NULL,
    name        text NOT NULL,
    unit        text NOT NULL,
    qty         numeric(12, 3) NOT NULL CHECK (qty > 0),
    unit_price  numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    line_total  numeric(14, 2) NOT NULL CHECK (line_total >= 0),
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX IF NOT EXISTS order_items_product_idx ON order_items (product_id);

-- The audit trail: every change of every order, who made it and why.
CREATE TABLE IF NOT EXISTS order_events (
    id           bigserial PRIMARY KEY,
    order_id     bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    from_status  text,
    to_status    text NOT NULL,
    reason       text,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS order_events_order_idx ON order_events (order_id, id);

-- Each offer of an order to a vendor and how it ended: drives re-routing
-- (never offer twice to the same vendor) and vendor performance.
CREATE TABLE IF NOT EXISTS order_offers (
    id           bigserial PRIMARY KEY,
    order_id     bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    vendor_id    bigint NOT NULL REFERENCES vendors (id),
    offered_at   timestamptz NOT NULL DEFAULT now(),
    deadline     timestamptz NOT NULL,
    answered_at  timestamptz,
    outcome      text CHECK (outcome IN ('accepted', 'rejected', 'timed_out', 'cancelled')),
    reason       text,
    UNIQUE (order_id, vendor_id)
);
CREATE INDEX IF NOT EXISTS order_offers_vendor_idx ON order_offers (vendor_id, offered_at);

-- ---------------------------------------------------------------- money

CREATE TABLE IF NOT EXISTS payments (
    id           bigserial PRIMARY KEY,
    retailer_id  bigint NOT NULL REFERENCES retailers (id),
    amount       numeric(14, 2) NOT NULL CHECK (amount > 0),
    method       text NOT NULL CHECK (method IN ('cash', 'esewa', 'khalti', 'bank')),
    reference    text UNIQUE,
    order_id     bigint REFERENCES orders (id),
    recorded_by  text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS payments_retailer_idx ON payments (retailer_id, created_at);

-- The credit ledger is append-only: balances are derived from it and a
-- correction is a new entry. A debit is what the retailer owes for a
-- delivered order (exactly one per order); a credit is a payment.
CREATE TABLE IF NOT EXISTS ledger_entries (
    id           bigserial PRIMARY KEY,
    retailer_id  bigint NOT NULL REFERENCES retailers (id),
    kind         text NOT NULL CHECK (kind IN ('debit', 'credit')),
    amount       numeric(14, 2) NOT NULL CHECK (amount > 0),
    order_id     bigint REFERENCES orders (id),
    payment_id   bigint UNIQUE REFERENCES payments (id),
    due_date     date,
    note         text,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'debit' OR due_date IS NOT NULL),
    CHECK (kind <> 'credit' OR payment_id IS NOT NULL OR note IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS ledger_retailer_idx ON ledger_entries (retailer_id, created_at);
CREATE UNIQUE INDEX IF NOT EXISTS ledger_one_debit_per_order
    ON ledger_entries (order_id) WHERE kind = 'debit' AND order_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ledger_due_idx ON ledger_entries (due_date) WHERE kind = 'debit';

CREATE OR REPLACE FUNCTION ledger_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only: post a correcting entry instead';
END;
$$;
DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries;
CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();

-- Orders and money, later additions (issue 6).
-- What each order line holds reserved from its current vendor's stock (0 when
-- the vendor does not track stock): released exactly on reject/time-out/cancel.
ALTER TABLE order_items ADD COLUMN IF NOT EXISTS reserved_qty numeric(12, 3) NOT NULL DEFAULT 0
    CHECK (reserved_qty >= 0);
-- The language a vendor reads their order messages in.
ALTER TABLE vendors ADD COLUMN IF NOT EXISTS language text NOT NULL DEFAULT 'en'
    CHECK (language IN ('en', 'ne'));
CREATE INDEX IF NOT EXISTS ledger_order_idx ON ledger_entries (order_id) WHERE order_id IS NOT NULL;

-- ---------------------------------------------------------------- WhatsApp channel

-- Every inbound message id handled, written in the same transaction as its
-- effects: the durable backstop of exactly-once handling.
CREATE TABLE IF NOT EXISTS inbound_messages (
    wamid        text PRIMARY KEY,
    sender       text NOT NULL,
    type         text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS inbound_messages_received_idx ON inbound_messages (received_at);

-- Outbound messages, written in the transaction that caused them and sent
-- by the dispatcher. A row is claimed with a lease (claimed_until) so a
-- dispatcher that dies mid-send loses nothing.
CREATE TABLE IF NOT EXISTS outbox (
    id              bigserial PRIMARY KEY,
    recipient       text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('text', 'interactive', 'template')),
    payload         jsonb NOT NULL,
    fallback        jsonb,
    correlation     text,
    request_id      text,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'read',
                                      'failed', 'dead')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by      text,
    claimed_until   timestamptz,
    wamid           text UNIQUE,
    last_error      text,
    error_code      integer,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    delivered_at    timestamptz,
    read_at         timestamptz,
    failed_at       timestamptz
);
-- The dispatcher's claim walks the rows still to send in id order and asks, per
-- row, whether its recipient has an earlier one still to send. Both indexes hold
-- only those rows, so the claim never reads the sent history: with every row in
-- one index it did (outbox_due_idx, replaced, made the planner walk the primary
-- key past all sent rows; 85 ms a claim at 300,000 of them, 0.2 ms now).
CREATE INDEX IF NOT EXISTS outbox_active_idx ON outbox (id)
    WHERE status IN ('pending', 'sending');
CREATE INDEX IF NOT EXISTS outbox_active_recipient_idx ON outbox (recipient, id)
    WHERE status IN ('pending', 'sending');
DROP INDEX IF EXISTS outbox_due_idx;
CREATE INDEX IF NOT EXISTS outbox_recipient_idx ON outbox (recipient, id);
CREATE INDEX IF NOT EXISTS outbox_status_idx ON outbox (status, created_at);

CREATE TABLE IF NOT EXISTS outbox_attempts (
    id           bigserial PRIMARY KEY,
    outbox_id    bigint NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    at           timestamptz NOT NULL DEFAULT now(),
    dispatcher   text NOT NULL,
    http_status  integer,
    error_code   integer,
    error_title  text,
    outcome      text NOT NULL CHECK (outcome IN ('sent', 'retry', 'permanent', 'fallback')),
    duration_ms  integer
);
CREATE INDEX IF NOT EXISTS outbox_attempts_outbox_idx ON outbox_attempts (outbox_id, id);

-- Statuses that arrive before the dispatcher has recorded the message id the
-- API returned (WhatsApp does not order webhooks against API answers). The
-- dispatcher applies them when it records the id.
CREATE TABLE IF NOT EXISTS outbox_early_statuses (
    id           bigserial PRIMARY KEY,
    wamid        text NOT NULL,
    status       text NOT NULL,
    at           timestamptz,
    error_code   integer,
    error_title  text,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS outbox_early_statuses_wamid_idx ON outbox_early_statuses (wamid);
ALTER TABLE outbox_attempts ADD COLUMN IF NOT EXISTS wamid text;

-- ---------------------------------------------------------------- operations

-- The last state of conversations that expired from Redis, for operators.
CREATE TABLE IF NOT EXISTS session_archive (
    id           bigserial PRIMARY KEY,
    phone        text NOT NULL,
    state        text NOT NULL,
    data         jsonb NOT NULL,
    archived_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS session_archive_phone_idx ON session_archive (phone, archived_at);

-- Every operator write (CLI or admin API): who, what, when.
CREATE TABLE IF NOT EXISTS audit_log (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text NOT NULL,
    action   text NOT NULL,
    target   text,
    details  jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_at_idx ON audit_log (at);

-- Job runs of the worker, for `khaacho jobs list` and operators.
CREATE TABLE IF NOT EXISTS job_runs (
    id           bigserial PRIMARY KEY,
    job          text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    as_of        timestamptz NOT NULL,
    outcome      text CHECK (outcome IN ('ok', 'error', 'skipped', 'interrupted')),
    counts       jsonb NOT NULL DEFAULT '{}'::jsonb,
    error        text
);
CREATE INDEX IF NOT EXISTS job_runs_job_idx ON job_runs (job, started_at DESC);

-- ---------------------------------------------------------------- jobs
-- Tables the worker's jobs (jobs/*.py) write. Every job is idempotent: the
-- unique keys below are what make a second run (or a second worker) a no-op.

-- One row per retailer per Kathmandu day; factors explain the score.
CREATE TABLE IF NOT EXISTS credit_scores (
    retailer_id      bigint NOT NULL REFERENCES retailers (id) ON DELETE CASCADE,
    as_of            date NOT NULL,
    score            integer NOT NULL CHECK (score BETWEEN 300 AND 900),
    band             text NOT NULL CHECK (band IN ('low', 'medium', 'elevated', 'high',
                                                   'very_high')),
    factors          jsonb NOT NULL,
    suggested_limit  numeric(14, 2) NOT NULL CHECK (suggested_limit >= 0),
    computed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (retailer_id, as_of)
);

-- Blocks the credit-scores job placed (so it only ever lifts its own blocks,
-- never one an operator set by hand).
CREATE TABLE IF NOT EXISTS credit_blocks (
    id           bigserial PRIMARY KEY,
    retailer_id  bigint NOT NULL REFERENCES retailers (id) ON DELETE CASCADE,
    blocked_at   timestamptz NOT NULL,
    reason       text NOT NULL,
    days_overdue integer NOT NULL,
    lifted_at    timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS credit_blocks_open_idx
    ON credit_blocks (retailer_id) WHERE lifted_at IS NULL;
-- When the retailer was told of the block and of its lifting: notices wait
-- for the morning rather than arrive at night.
ALTER TABLE credit_blocks ADD COLUMN IF NOT EXISTS notified_at timestamptz;
ALTER TABLE credit_blocks ADD COLUMN IF NOT EXISTS lift_notified_at timestamptz;

-- The current 30-day figures per vendor; routing reads this.
CREATE TABLE IF NOT EXISTS vendor_performance (
    vendor_id                bigint PRIMARY KEY REFERENCES vendors (id) ON DELETE CASCADE,
    window_days              integer NOT NULL,
    as_of                    timestamptz NOT NULL,
    offers                   integer NOT NULL,
    accepted                 integer NOT NULL,
    rejected                 integer NOT NULL,
    timed_out                integer NOT NULL,
    acceptance_rate          numeric(5, 4),
    median_response_seconds  integer,
    fulfilled                integer NOT NULL,
    failed                   integer NOT NULL,
    fulfilment_rate          numeric(5, 4),
    rejection_reasons        jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at               timestamptz NOT NULL DEFAULT now()
);

-- Per product per Kathmandu day: the spread of vendor prices (the trend).
CREATE TABLE IF NOT EXISTS product_price_stats (
    product_id  bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    day         date NOT NULL,
    vendors     integer NOT NULL,
    median      numeric(12, 2) NOT NULL,
    min_price   numeric(12, 2) NOT NULL,
    max_price   numeric(12, 2) NOT NULL,
    PRIMARY KEY (product_id, day)
);

-- A vendor price far from the product's median; cleared_at set once it is not.
CREATE TABLE IF NOT EXISTS price_flags (
    id               bigserial PRIMARY KEY,
    product_id       bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    vendor_id        bigint NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    price            numeric(12, 2) NOT NULL,
    median           numeric(12, 2) NOT NULL,
    deviation        numeric(8, 4) NOT NULL,
    first_flagged_at timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    cleared_at       timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS price_flags_open_idx
    ON price_flags (product_id, vendor_id) WHERE cleared_at IS NULL;

-- Daily aggregates per Kathmandu day; dimension 'all' (key '*'), 'area', 'category'.
CREATE TABLE IF NOT EXISTS analytics_daily (
    day               date NOT NULL,
    dimension         text NOT NULL CHECK (dimension IN ('all', 'area', 'category')),
    key               text NOT NULL,
    orders            integer NOT NULL,
    gmv               numeric(16, 2) NOT NULL,
    active_retailers  integer NOT NULL,
    new_retailers     integer NOT NULL,
    avg_basket        numeric(14, 2) NOT NULL,
    computed_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, dimension, key)
);

-- Each payment reminder sent: unique per debit and stage, so never twice.
CREATE TABLE IF NOT EXISTS reminders_sent (
    ledger_entry_id  bigint NOT NULL REFERENCES ledger_entries (id),
    kind             text NOT NULL,
    retailer_id      bigint NOT NULL REFERENCES retailers (id) ON DELETE CASCADE,
    amount           numeric(14, 2) NOT NULL,
    due_date         date NOT NULL,
    outbox_id        bigint,
    sent_at          timestamptz NOT NULL,
    PRIMARY KEY (ledger_entry_id, kind)
);

-- Reorder nudges: one per retailer, product and the order that started the cycle.
CREATE TABLE IF NOT EXISTS nudges_sent (
    id             bigserial PRIMARY KEY,
    retailer_id    bigint NOT NULL REFERENCES retailers (id) ON DELETE CASCADE,
    product_id     bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    last_order_id  bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    interval_days  integer NOT NULL,
    qty            numeric(12, 3) NOT NULL,
    sent_at        timestamptz NOT NULL,
    -- the nudges sent in one message share the id of the first (the button payload)
    batch_id       bigint,
    UNIQUE (retailer_id, product_id, last_order_id)
);

-- Per retailer: value and churn risk, refreshed daily; call_rank orders the call list.
CREATE TABLE IF NOT EXISTS retailer_insights (
    retailer_id          bigint PRIMARY KEY REFERENCES retailers (id) ON DELETE CASCADE,
    as_of                timestamptz NOT NULL,
    orders               integer NOT NULL,
    gmv                  numeric(16, 2) NOT NULL,
    margin_to_date       numeric(14, 2) NOT NULL,
    projected_margin     numeric(14, 2) NOT NULL,
    lifetime_value       numeric(14, 2) NOT NULL,
    days_since_last      integer,
    usual_interval_days  numeric(8, 2),
    basket_trend         numeric(8, 4),
    churn_risk           numeric(5, 4) NOT NULL,
    call_priority        numeric(14, 2) NOT NULL,
    call_rank            integer
);

-- Reports produced by the weekly/daily report jobs (operators read them here).
CREATE TABLE IF NOT EXISTS reports (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('daily', 'weekly')),
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    body          jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, period_start)
);

-- Each vendor's weekly summary message: once per vendor per week.
CREATE TABLE IF NOT EXISTS vendor_reports_sent (
    vendor_id     bigint NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    period_start  date NOT NULL,
    outbox_id     bigint,
    sent_at       timestamptz NOT NULL,
    PRIMARY KEY (vendor_id, period_start)
);

CREATE INDEX IF NOT EXISTS job_runs_as_of_idx ON job_runs (job, as_of) WHERE outcome = 'ok';

-- ---------------------------------------------------------------- operator alerts
-- What operators must look at: an unroutable order, a dispute, a dead-letter
-- message, a stuck vendor, a quality drop on the business number … One row per
-- thing (`dedupe_key`), so a condition seen again does not raise a second alert
-- while the first is open; `notified_at` is set when the operators' WhatsApp
-- notice went into the outbox.
CREATE TABLE IF NOT EXISTS operator_alerts (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,
    dedupe_key      text NOT NULL,
    subject         text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}'::jsonb,
    raised_at       timestamptz NOT NULL DEFAULT now(),
    notified_at     timestamptz,
    resolved_at     timestamptz,
    resolved_by     text
);
CREATE UNIQUE INDEX IF NOT EXISTS operator_alerts_open_key
    ON operator_alerts (dedupe_key) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS operator_alerts_open_idx
    ON operator_alerts (raised_at) WHERE resolved_at IS NULL;

-- ---------------------------------------------------------------- parse: open units, pack contents
-- Units are open (issue 13): a catalogue may sell in any unit word; known words are
-- stored as their canonical unit (domain/units.py), any other as a short label. The
-- closed list of 14 units is replaced by a length check. `pack` is what one unit
-- holds when the name does not say ("30 pkt", "25 kg").
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint
               WHERE conrelid = 'products'::regclass AND conname = 'products_unit_check') THEN
        ALTER TABLE products DROP CONSTRAINT products_unit_check;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'products'::regclass AND conname = 'products_unit_label') THEN
        ALTER TABLE products ADD CONSTRAINT products_unit_label
            CHECK (length(unit) BETWEEN 1 AND 32);
    END IF;
END $$;
ALTER TABLE products ADD COLUMN IF NOT EXISTS pack text NOT NULL DEFAULT ''
    CHECK (length(pack) <= 64);

-- ---------------------------------------------------------------- money: references, voids, credit notes (issue 14)
-- A payment reference is one payment whatever its case (`ES-77` = `es-77`): the
-- case-insensitive index replaces the exact-match UNIQUE of the first schema.
CREATE UNIQUE INDEX IF NOT EXISTS payments_reference_ci ON payments (lower(reference));
ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_reference_key;
-- Amounts an operator enters stop at Rs 10 crore (domain.money.MAX_AMOUNT), far
-- inside numeric(14, 2), so sums such as limit − balance never overflow it.
DO $$ BEGIN
    ALTER TABLE payments ADD CONSTRAINT payments_amount_max CHECK (amount <= 100000000);
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
-- A voided payment keeps its row; the void is a reversing debit in the ledger.
ALTER TABLE payments ADD COLUMN IF NOT EXISTS voided_at timestamptz;
ALTER TABLE payments ADD COLUMN IF NOT EXISTS voided_by text;
ALTER TABLE payments ADD COLUMN IF NOT EXISTS void_reason text;
-- The entry a reversal undoes (a void's debit points at the payment's credit).
ALTER TABLE ledger_entries ADD COLUMN IF NOT EXISTS reverses_entry_id bigint UNIQUE
    REFERENCES ledger_entries (id);

-- A credit note: money given back to a retailer for damaged, wrong or returned
-- items of a delivered order, line by line; its ledger credit links to it.
CREATE TABLE IF NOT EXISTS credit_notes (
    id           bigserial PRIMARY KEY,
    order_id     bigint NOT NULL REFERENCES orders (id),
    retailer_id  bigint NOT NULL REFERENCES retailers (id),
    reason       text NOT NULL CHECK (reason IN ('damaged', 'wrong', 'returned')),
    amount       numeric(14, 2) NOT NULL CHECK (amount > 0 AND amount <= 100000000),
    note         text,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS credit_notes_order_idx ON credit_notes (order_id);
CREATE TABLE IF NOT EXISTS credit_note_lines (
    credit_note_id  bigint NOT NULL REFERENCES credit_notes (id),
    order_id        bigint NOT NULL,
    line_no         integer NOT NULL,
    qty             numeric(12, 3) NOT NULL CHECK (qty > 0),
    amount          numeric(14, 2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (credit_note_id, line_no),
    FOREIGN KEY (order_id, line_no) REFERENCES order_items (order_id, line_no)
);
ALTER TABLE ledger_entries ADD COLUMN IF NOT EXISTS credit_note_id bigint UNIQUE
    REFERENCES credit_notes (id);

-- ---------------------------------------------------------------- talk: partial fulfilment
-- A vendor who can send only some lines of a pending order proposes the smaller
-- order; the shop is asked and answers yes (the order shrinks and is accepted) or
-- no (it is re-routed). One open proposal per order (answered_at NULL).
CREATE TABLE IF NOT EXISTS order_changes (
    id            bigserial PRIMARY KEY,
    order_id      bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    vendor_id     bigint NOT NULL REFERENCES vendors (id),
    kept_lines    integer[] NOT NULL,
    proposed_at   timestamptz NOT NULL,
    answered_at   timestamptz,
    outcome       text CHECK (outcome IN ('accepted', 'declined', 'withdrawn'))
);
CREATE UNIQUE INDEX IF NOT EXISTS order_changes_open_key
    ON order_changes (order_id) WHERE answered_at IS NULL;

-- ---------------------------------------------------------------- harden: retention and the indexes the jobs need
-- Found with EXPLAIN ANALYZE on realistic volumes (docs/RETENTION.md has the figures).
-- jobs/messaging.within_window: max(received_at) for one sender, no scan of everyone's rows.
CREATE INDEX IF NOT EXISTS inbound_messages_sender_idx
    ON inbound_messages (sender, received_at DESC);
-- jobs/recovery every minute: only the open offers, not every offer ever made.
CREATE INDEX IF NOT EXISTS order_offers_open_idx
    ON order_offers (order_id) WHERE outcome IS NULL;
-- /api/admin/audit?actor=…, newest first.
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON audit_log (actor, at DESC);
-- jobs/retention: each purge walks its own age column in id-bounded batches.
CREATE INDEX IF NOT EXISTS outbox_attempts_at_idx ON outbox_attempts (at);
CREATE INDEX IF NOT EXISTS session_archive_archived_idx ON session_archive (archived_at);
CREATE INDEX IF NOT EXISTS outbox_created_idx ON outbox (created_at);
CREATE INDEX IF NOT EXISTS job_runs_started_idx ON job_runs (started_at);

-- ---------------------------------------------------------------- inbox: durable inbox, conversation workers
-- `inbound_messages` becomes the inbox: the webhook writes each message here
-- (status 'pending', with its payload) and answers 200; a conversation
-- worker marks it 'done' in the transaction that writes its effects, or
-- parks it as 'dead' after repeated failures. Rows from before this block
-- were written when handled, so the default 'done' is what they are.
ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'done';
DO $$ BEGIN
    ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_status_check
        CHECK (status IN ('pending', 'done', 'dead'));
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
-- The parsed message as JSON bytes: bytea, because jsonb and text refuse the
-- NUL characters a message may carry.
ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS payload bytea;
-- WhatsApp's own timestamp, then arrival: the order a sender's messages are handled in.
ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS sent_at timestamptz;
ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS seq bigint GENERATED BY DEFAULT AS IDENTITY;
ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0;
ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS last_error text;
ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS handled_at timestamptz;
ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS request_id text;
CREATE INDEX IF NOT EXISTS inbound_messages_pending_idx
    ON inbound_messages (sender, sent_at, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS inbound_messages_pending_age_idx
    ON inbound_messages (received_at) WHERE status = 'pending';

-- One row per sender: the claim a conversation worker holds (with a lease, so
-- a dead worker's senders come back), when the sender is next ready to be
-- served (NULL: nothing pending), a counter of arrivals (so a release never
-- loses a message that came in meanwhile) and the per-sender rate window.
CREATE TABLE IF NOT EXISTS inbox_senders (
    sender         text PRIMARY KEY,
    ready_at       timestamptz,
    arrivals       bigint NOT NULL DEFAULT 0,
    claimed_by     text,
    claimed_until  timestamptz,
    window_start   timestamptz NOT NULL DEFAULT now(),
    window_count   integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS inbox_senders_ready_idx
    ON inbox_senders (ready_at) WHERE ready_at IS NOT NULL;

-- Statuses as the webhook received them, applied to the outbox in batches.
CREATE TABLE IF NOT EXISTS inbox_statuses (
    id           bigserial PRIMARY KEY,
    payload      bytea NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS inbound_messages_dead_idx
    ON inbound_messages (received_at) WHERE status = 'dead';

-- ---------------------------------------------------------------- t2: partial fulfilment with smaller quantities
-- A vendor's proposal may also send less of a line ("1001 tokla 1"): the lines
-- (less_lines) and the quantities they can send (less_qtys, same positions).
ALTER TABLE order_changes ADD COLUMN IF NOT EXISTS less_lines integer[] NOT NULL DEFAULT '{}';
ALTER TABLE order_changes ADD COLUMN IF NOT EXISTS less_qtys numeric(12, 3)[] NOT NULL
    DEFAULT '{}';

-- ---------------------------------------------------------------- h2: unreadable webhook bodies, linked senders
-- A correctly signed POST that cannot be read at all (not JSON, not an envelope,
-- nothing in it readable, an id Postgres cannot store) is recorded here once
-- per distinct body and acknowledged with 200, so WhatsApp stops redelivering
-- it (it retries any non-200 for up to 7 days). Only the first 64 KB are kept;
-- purged with the inbox (RETAIN_INBOUND_DAYS).
CREATE TABLE IF NOT EXISTS webhook_dead_letters (
    id             bigserial PRIMARY KEY,
    sha256         text NOT NULL UNIQUE,
    reason         text NOT NULL,
    detail         text NOT NULL DEFAULT '',
    body_bytes     integer NOT NULL,
    body_head      bytea NOT NULL,
    deliveries     integer NOT NULL DEFAULT 1,
    request_id     text,
    received_at    timestamptz NOT NULL DEFAULT now(),
    last_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_dead_letters_received_idx
    ON webhook_dead_letters (received_at);

-- A sender WhatsApp names only by a business-scoped user id (no phone number)
-- linked by an operator to a retailer: the router then serves the id as that
-- retailer (bot/services/sender_links.py). One retailer per id; audited.
CREATE TABLE IF NOT EXISTS sender_links (
    sender_id    text PRIMARY KEY CHECK (length(sender_id) BETWEEN 1 AND 256),
    retailer_id  bigint NOT NULL REFERENCES retailers (id),
    linked_by    text NOT NULL,
    linked_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sender_links_retailer_idx ON sender_links (retailer_id);

-- ---------------------------------------------------------------- media: stored media files, outbound documents/images
-- Media bytes live here, not on the instance's disk (Render discards it):
-- documents and images the product sends (invoices, statements, QR codes) and
-- what retailers send (photos of lists, voice notes). `bytes` is capped by
-- MEDIA_MAX_BYTES (bot/store/media.py) and set NULL by the retention job after
-- RETAIN_MEDIA_DAYS (`purged_at`); the row (size, sha256) stays. `wa_media_id`
-- is Meta's id: for an outbound file the id of our upload, reusable for 30 days
-- after `wa_uploaded_at`; for an inbound file the id the retailer's message named.
CREATE TABLE IF NOT EXISTS media_files (
    id              bigserial PRIMARY KEY,
    direction       text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    mime_type       text NOT NULL CHECK (length(mime_type) BETWEEN 3 AND 255),
    filename        text CHECK (length(filename) BETWEEN 1 AND 240),
    file_size       bigint NOT NULL CHECK (file_size >= 0),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes           bytea,
    wa_media_id     text,
    wa_uploaded_at  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    purged_at       timestamptz,
    CHECK (bytes IS NULL OR octet_length(bytes) = file_size)
);
CREATE INDEX IF NOT EXISTS media_files_created_idx ON media_files (created_at)
    WHERE bytes IS NOT NULL;

-- An outbox row that sends a stored file: the dispatcher uploads it (or reuses
-- a live upload) and puts the media id into the payload just before sending.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS media_file_id bigint REFERENCES media_files (id);
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conrelid = 'outbox'::regclass AND conname = 'outbox_kind_check'
          AND pg_get_constraintdef(oid) LIKE '%document%') THEN
        ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_kind_check;
        ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
            CHECK (kind IN ('text', 'interactive', 'template', 'document', 'image'));
    END IF;
END $$;

-- paper: vendor tax details, invoices and credit-note documents, gapless numbering
-- A vendor's PAN (nine digits; their VAT number when VAT-registered) and address,
-- printed on every invoice they issue (`khaacho vendor set`).
ALTER TABLE vendors ADD COLUMN IF NOT EXISTS pan text CHECK (pan ~ '^[0-9]{9}$');
ALTER TABLE vendors ADD COLUMN IF NOT EXISTS vat_registered boolean NOT NULL DEFAULT false;
ALTER TABLE vendors ADD COLUMN IF NOT EXISTS address text CHECK (length(address) <= 200);
-- The last number issued per vendor, fiscal year (BS year it starts in) and series.
-- Issuing locks this row FOR UPDATE in the transaction that inserts the document, so
-- numbers are gapless: a rolled-back issue rolls its number back too (a sequence
-- would leave a gap).
CREATE TABLE IF NOT EXISTS document_counters (
    vendor_id    bigint NOT NULL REFERENCES vendors (id),
    fiscal_year  integer NOT NULL CHECK (fiscal_year BETWEEN 1975 AND 2100),
    kind         text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    last_seq     integer NOT NULL CHECK (last_seq >= 0),
    PRIMARY KEY (vendor_id, fiscal_year, kind)
);
-- An issued invoice or credit note, with every figure it printed (the seller's and
-- buyer's particulars at the time, lines, totals): reprints show exactly this.
-- Never updated or deleted (the trigger below refuses it); a correction is a
-- credit note.
CREATE TABLE IF NOT EXISTS documents (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    vendor_id       bigint NOT NULL REFERENCES vendors (id),
    fiscal_year     integer NOT NULL,
    seq             integer NOT NULL CHECK (seq > 0),
    number          text NOT NULL,
    order_id        bigint NOT NULL REFERENCES orders (id),
    retailer_id     bigint NOT NULL REFERENCES retailers (id),
    credit_note_id  bigint UNIQUE REFERENCES credit_notes (id),
    against_id      bigint REFERENCES documents (id),
    issued_on       date NOT NULL,
    issued_at       timestamptz NOT NULL,
    content         jsonb NOT NULL,
    total           numeric(14, 2) NOT NULL CHECK (total >= 0),
    vat             numeric(14, 2) NOT NULL CHECK (vat >= 0),
    UNIQUE (vendor_id, fiscal_year, kind, seq),
    CHECK ((kind = 'credit_note') = (credit_note_id IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS documents_one_invoice_per_order
    ON documents (order_id) WHERE kind = 'invoice';
CREATE INDEX IF NOT EXISTS documents_retailer_idx ON documents (retailer_id, issued_at);
CREATE OR REPLACE FUNCTION documents_are_final() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an issued % is never changed or deleted; issue a credit note', OLD.kind;
END $$;
DROP TRIGGER IF EXISTS documents_final ON documents;
CREATE TRIGGER documents_final BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_are_final();
-- Each time a document went out as a PDF (the first is the original, later ones are
-- reprints marked COPY), with the stored file and the outbox row that carried it.
CREATE TABLE IF NOT EXISTS document_prints (
    id             bigserial PRIMARY KEY,
    document_id    bigint NOT NULL REFERENCES documents (id),
    copy           boolean NOT NULL,
    media_file_id  bigint REFERENCES media_files (id),
    outbox_id      bigint,
    printed_by     text NOT NULL,
    printed_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS document_prints_one_original
    ON document_prints (document_id) WHERE NOT copy;
-- Issued documents whose original has not gone out: the `documents` job's queue,
-- a row written with the document and deleted with its original print. Documents
-- are kept for good, and finding the waiting ones by anti-joining every document
-- ever issued against its prints, each minute, grew with the years.
DO $$
BEGIN
    IF to_regclass('documents_unprinted') IS NULL THEN
        CREATE TABLE documents_unprinted (
            document_id bigint PRIMARY KEY REFERENCES documents (id)
        );
        -- Once, as the table arrives: the documents already waiting.
        INSERT INTO documents_unprinted (document_id)
        SELECT d.id FROM documents d
        WHERE NOT EXISTS (SELECT 1 FROM document_prints p
                          WHERE p.document_id = d.id AND NOT p.copy);
    END IF;
END $$;
-- ---------------------------------------------------------------- media: the operator inbox, delivery pins
-- What a retailer sent that the bot cannot read (a photo of a list, a voice note,
-- a document, a video, a sticker): one row per inbound message (`wamid`), written
-- by the conversation worker; the bytes are fetched from Meta afterwards by the
-- media fetcher (jobs/media_fetcher.py) into `media_files`:
--   download: pending ─fetched, sha256 checked→ done
--                     ├─over MEDIA_MAX_BYTES→ refused (the retailer is told)
--                     └─failed MEDIA_FETCH_ATTEMPTS times→ failed (the retailer is told)
--   state:    open ─`khaacho inbox cart`→ carted ─`inbox done`→ done (or open → done)
-- `caption_read`: the image's caption went through the order pipeline as text.
CREATE TABLE IF NOT EXISTS operator_inbox (
    id                 bigserial PRIMARY KEY,
    wamid              text NOT NULL UNIQUE,
    sender             text NOT NULL,
    retailer_id        bigint REFERENCES retailers (id),
    language           text NOT NULL DEFAULT 'en',
    kind               text NOT NULL
                       CHECK (kind IN ('image', 'voice', 'audio', 'video', 'document', 'sticker')),
    caption            text,
    caption_read       boolean NOT NULL DEFAULT false,
    filename           text,
    wa_media_id        text NOT NULL,
    mime_type          text,
    wa_sha256          text,
    media_file_id      bigint REFERENCES media_files (id),
    download           text NOT NULL DEFAULT 'pending'
                       CHECK (download IN ('pending', 'done', 'refused', 'failed')),
    download_attempts  integer NOT NULL DEFAULT 0,
    download_error     text,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    claimed_until      timestamptz,
    state              text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'carted', 'done')),
    cart_text          text,
    handled_by         text,
    handled_at         timestamptz,
    received_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS operator_inbox_fetch_idx ON operator_inbox (next_attempt_at)
    WHERE download = 'pending';
CREATE INDEX IF NOT EXISTS operator_inbox_open_idx ON operator_inbox (received_at)
    WHERE state <> 'done';
CREATE INDEX IF NOT EXISTS operator_inbox_media_idx ON operator_inbox (media_file_id);

-- Where a sender wants deliveries: the last location they shared (one per sender).
CREATE TABLE IF NOT EXISTS delivery_pins (
    sender       text PRIMARY KEY,
    retailer_id  bigint REFERENCES retailers (id),
    latitude     double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude    double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    name         text,
    address      text,
    wamid        text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS delivery_pins_retailer_idx ON delivery_pins (retailer_id);
-- ---------------------------------------------------------------- pay: paying from the chat (issue 18)
-- Fonepay joins the ledger's payment methods (a QR paid into the merchant's account).
ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_method_check;
DO $$ BEGIN
    ALTER TABLE payments ADD CONSTRAINT payments_method_check
        CHECK (method IN ('cash', 'esewa', 'khalti', 'bank', 'fonepay'));
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
-- One attempt to pay through a gateway. `token` is ours (Fonepay's PRN, eSewa's
-- transaction_uuid, Khalti's purchase_order_id, the eSewa short link); `reference`
-- is what the gateway names it by (the PRN, the pidx, the transaction_uuid), unique
-- per gateway. A confirmed intent points at its one payment; any other amount paid
-- is held for an operator (state 'held', an operator alert), never credited.
CREATE TABLE IF NOT EXISTS payment_intents (
    id             bigserial PRIMARY KEY,
    gateway        text NOT NULL CHECK (gateway IN ('fonepay', 'khalti', 'esewa')),
    token          text NOT NULL UNIQUE CHECK (length(token) BETWEEN 8 AND 40),
    reference      text CHECK (length(reference) BETWEEN 1 AND 100),
    retailer_id    bigint NOT NULL REFERENCES retailers (id),
    order_id       bigint REFERENCES orders (id),
    amount         numeric(14, 2) NOT NULL CHECK (amount > 0 AND amount <= 100000000),
    state          text NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'paid', 'held', 'expired', 'canceled', 'failed')),
    payment_url    text,
    qr_message     text,
    paid_amount    numeric(14, 2),
    transaction_id text,
    payment_id     bigint UNIQUE REFERENCES payments (id),
    detail         text NOT NULL DEFAULT '',
    check_failures integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    checked_at     timestamptz,
    settled_at     timestamptz,
    UNIQUE (gateway, reference)
);
-- The reconciliation job asks, every minute, about pending intents and those expired
-- in the last day: two ranges of (state, settled_at), combined as a BitmapOr. Keyed on
-- checked_at (payment_intents_pending_idx, replaced) every expired intent stayed in
-- its range for good: 59.6k rows read and discarded a run at 1/24 of a year, 39 ms.
CREATE INDEX IF NOT EXISTS payment_intents_due_idx
    ON payment_intents (state, settled_at) WHERE state IN ('pending', 'expired');
DROP INDEX IF EXISTS payment_intents_pending_idx;
CREATE INDEX IF NOT EXISTS payment_intents_retailer_idx
    ON payment_intents (retailer_id, created_at);
-- console: operator accounts of the web console (issue 17). Passwords are argon2id
-- hashes; an account is disabled, never deleted, so the audit log's names stay true.
CREATE TABLE IF NOT EXISTS console_operators (
    id             bigserial PRIMARY KEY,
    username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,31}$'),
    role           text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash  text NOT NULL,
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL,
    disabled_at    timestamptz,
    last_login_at  timestamptz
);

-- ---------------------------------------------------------------- console2: conversation take-over
-- An operator taking a conversation over from the bot: while a row is open
-- (handed_back_at IS NULL) the conversation workers store that person's
-- messages but the bot neither answers nor changes their session
-- (bot/conversation/pipeline.py); the operator's replies go through the
-- outbox with correlation `takeover:<id>`. One open take-over per phone;
-- who took over and who handed back are kept (and audited in audit_log).
CREATE TABLE IF NOT EXISTS conversation_takeovers (
    id              bigserial PRIMARY KEY,
    phone           text NOT NULL CHECK (length(phone) BETWEEN 1 AND 256),
    taken_by        text NOT NULL,
    taken_at        timestamptz NOT NULL DEFAULT now(),
    note            text,
    handed_back_by  text,
    handed_back_at  timestamptz,
    CHECK ((handed_back_at IS NULL) = (handed_back_by IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS conversation_takeovers_open_idx
    ON conversation_takeovers (phone) WHERE handed_back_at IS NULL;
CREATE INDEX IF NOT EXISTS conversation_takeovers_phone_idx
    ON conversation_takeovers (phone, taken_at DESC);
-- perf: a vendor's areas as serves_area() compares them, stored and indexed
-- (issue 15). Cart pricing asked serves_area() of every vendor of every
-- product in the cart (900 PL/pgSQL calls for 3 products × 300 vendors, ~5 ms
-- of Postgres per quote); `areas_normal && ARRAY[normal_area($1), '*']` is the
-- same rule (tests/domain/test_rules_in_sql.py) answered from this GIN index.
CREATE OR REPLACE FUNCTION normal_areas(areas text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(normal_area(a)), '{}') FROM unnest(areas) AS a $$;
ALTER TABLE vendors ADD COLUMN IF NOT EXISTS areas_normal text[]
    GENERATED ALWAYS AS (normal_areas(areas)) STORED;
-- Stored values follow normal_area() as this file defines it now, even if a
-- later version of the file changes it (the column is computed on write only).
UPDATE vendors SET areas = areas WHERE areas_normal IS DISTINCT FROM normal_areas(areas);
CREATE INDEX IF NOT EXISTS vendors_areas_normal_idx ON vendors USING gin (areas_normal);
-- fix: the order line a vendor picked from the lines list, waiting for "how many?"
-- Vendors have no conversation session; this one row per vendor lets a bare "5" or
-- "3 bora" answer the question (flows/vendor.py), for PICK_MINUTES after the pick.
CREATE TABLE IF NOT EXISTS vendor_line_picks (
    vendor_id     bigint PRIMARY KEY REFERENCES vendors (id) ON DELETE CASCADE,
    order_number  bigint NOT NULL,
    line_no       integer NOT NULL,
    picked_at     timestamptz NOT NULL
);

-- tmpl: template statuses synced from Meta, account signals, marketing consent, held sends
-- One row per registry template and language as Meta last reported it (sync, the
-- template webhooks, or a send refused with 132001/132015/132016).
CREATE TABLE IF NOT EXISTS message_templates (
    name            text NOT NULL CHECK (name ~ '^[a-z0-9_]+$' AND length(name) <= 512),
    language        text NOT NULL CHECK (length(language) BETWEEN 2 AND 16),
    category        text,
    status          text NOT NULL,
    quality         text,
    meta_id         text,
    rejected_reason text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, language)
);
-- What Meta tells us about the account and the number (account_update,
-- phone_number_quality_update, business_capability_update, template quality).
CREATE TABLE IF NOT EXISTS account_signals (
    id          bigserial PRIMARY KEY,
    field       text NOT NULL,
    event       text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS account_signals_field_idx ON account_signals (field, id);
-- Marketing opt-out per WhatsApp number (STOP / START, the user_preferences
-- webhook, error 131050). Order and payment messages are not affected.
CREATE TABLE IF NOT EXISTS marketing_consent (
    phone       text PRIMARY KEY,
    opted_out   boolean NOT NULL,
    source      text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
-- `held`: a template not approved in any language waits here (reason in
-- last_error) until a status webhook or sync approves it; `skipped`: a
-- marketing message to a number that opted out, never sent.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint
               WHERE conrelid = 'outbox'::regclass AND conname = 'outbox_status_check') THEN
        ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'outbox'::regclass AND conname = 'outbox_status_known') THEN
        ALTER TABLE outbox ADD CONSTRAINT outbox_status_known CHECK (status IN (
            'pending', 'sending', 'sent', 'delivered', 'read', 'failed', 'dead', 'held',
            'skipped'));
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS outbox_held_idx ON outbox ((payload -> 'template' ->> 'name'))
    WHERE status = 'held';
-- g2: statements asked for in chat, rendered by the `documents` job
-- One row per request, written in the message's transaction (with the inbox row
-- done, so a redelivered message writes none); `sent_at` and the outbox row are
-- written together by the job. `bs_year`/`bs_month` when a BS month was asked.
CREATE TABLE IF NOT EXISTS statement_requests (
    id            bigserial PRIMARY KEY,
    retailer_id   bigint NOT NULL REFERENCES retailers (id),
    first_day     date NOT NULL,
    last_day      date NOT NULL,
    bs_year       int,
    bs_month      int CHECK (bs_month BETWEEN 1 AND 12),
    language      text NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz,
    media_file_id bigint REFERENCES media_files (id),
    outbox_id     bigint
);
CREATE INDEX IF NOT EXISTS statement_requests_unsent_idx ON statement_requests (id)
    WHERE sent_at IS NULL;
-- g2: console password resets and changes end the account's sessions
-- A session started before `sessions_since` is refused (bot/console/guard.py): set
-- when an admin resets the password or the operator changes it.
ALTER TABLE console_operators ADD COLUMN IF NOT EXISTS sessions_since timestamptz;
-- ---------------------------------------------------------------- scale: reads that stay bounded as history grows
-- Orders, ledger entries, job runs and payment intents are kept for good or for
-- months: each statement run on a schedule or per message reads the rows still
-- being worked on, not the history (tests/*/test_*_reads.py check the plans).
-- ledger: each retailer's balance owed, kept as entries are appended. The credit
-- check of every quote and placement read it by summing every entry the retailer
-- ever had (about 12,000 a year for a busy shop: 22 ms a quote and growing). The
-- ledger is append-only (the trigger above refuses updates and deletes), so adding
-- each new entry's amount in the entry's own transaction keeps the sum exact.
CREATE OR REPLACE FUNCTION ledger_balance_follows() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_balances AS b (retailer_id, owed)
    VALUES (NEW.retailer_id, CASE NEW.kind WHEN 'debit' THEN NEW.amount ELSE -NEW.amount END)
    ON CONFLICT (retailer_id) DO UPDATE SET owed = b.owed + excluded.owed;
    RETURN NULL;
END $$;
DO $$
BEGIN
    IF to_regclass('ledger_balances') IS NULL THEN
        -- No entry may land between the sum below and the trigger taking over.
        LOCK TABLE ledger_entries IN SHARE ROW EXCLUSIVE MODE;
        CREATE TABLE ledger_balances (
            retailer_id  bigint PRIMARY KEY REFERENCES retailers (id),
            owed         numeric(16, 2) NOT NULL
        );
        CREATE TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries
            FOR EACH ROW EXECUTE FUNCTION ledger_balance_follows();
        INSERT INTO ledger_balances (retailer_id, owed)
        SELECT retailer_id, sum(CASE kind WHEN 'debit' THEN amount ELSE -amount END)
        FROM ledger_entries GROUP BY retailer_id;
    END IF;
END $$;
-- job_runs: /health's last_runs (3 s timeout) takes each job's latest run that was not
-- skipped with one probe here, instead of sorting 30 days of runs (a second worker's
-- skips are about half of them).
CREATE INDEX IF NOT EXISTS job_runs_unskipped_idx
    ON job_runs (job, started_at DESC) WHERE outcome IS DISTINCT FROM 'skipped';
-- job_runs: recovery, once per job every minute, ends stale runs: only the runs without
-- an outcome yet, not the job's month of finished runs (started_at < clock_timestamp()
-- is volatile, so job_runs_job_idx could only narrow it to the job).
CREATE INDEX IF NOT EXISTS job_runs_open_idx
    ON job_runs (job, started_at) WHERE outcome IS NULL;
-- job_runs: recovery prunes skips older than KEEP_SKIPPED every minute: only the skips,
-- not every run older than a week (job_runs_started_idx matches most of the table).
CREATE INDEX IF NOT EXISTS job_runs_skipped_idx
    ON job_runs (started_at) WHERE outcome = 'skipped';
-- orders: vendor-performance counts each vendor's orders accepted in the last 30 days,
-- hourly for every vendor: the window's entries here, status included (index-only),
-- instead of walking the vendor's whole history in orders_vendor_idx (1,460 rows read
-- for 120 in the window at a year of 4 a day). Never-accepted orders are left out.
CREATE INDEX IF NOT EXISTS orders_vendor_accepted_idx
    ON orders (vendor_id, accepted_at) INCLUDE (status) WHERE accepted_at IS NOT NULL;
-- orders: the credit check's open orders' value, on every quote and placement: the
-- retailer's own open orders from the index alone, not every open order of every
-- retailer through orders_status_idx (2.2 ms with 200 open, 0.1 ms here).
CREATE INDEX IF NOT EXISTS orders_open_retailer_idx
    ON orders (retailer_id) INCLUDE (total) WHERE order_is_open(status);
-- ledger: what a retailer still owes is read back from the running balance, walking
-- their debits from the latest due (bot/store/ledger.py unpaid_debits): as many as
-- are open, for the balance reply, the pay-a-due link, the reminders, the unblock
-- after a payment and the ageing report, instead of the whole history each time.
CREATE INDEX IF NOT EXISTS ledger_debits_due_idx
    ON ledger_entries (retailer_id, due_date, id) WHERE kind = 'debit';
-- ledger: the console's ledger page shows a retailer's newest entries by id, each
-- with the balance after it taken back from the running balance.
CREATE INDEX IF NOT EXISTS ledger_retailer_id_idx ON ledger_entries (retailer_id, id);
-- payments: a retailer's recent payments (console, admin API) newest first, read as a page.
CREATE INDEX IF NOT EXISTS payments_retailer_recent_idx
    ON payments (retailer_id, received_at DESC, id DESC);
