BEGIN TRANSACTION;
CREATE TABLE accounts (
	id INTEGER NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	provider VARCHAR(100) NOT NULL, 
	fingerprint VARCHAR(255), 
	currency VARCHAR(16), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	last_good_at DATETIME, 
	CONSTRAINT pk_accounts PRIMARY KEY (id), 
	CONSTRAINT uq_accounts_name UNIQUE (name)
);
INSERT INTO "accounts" VALUES(1,'alpha','siliconflow','fp-alpha','CNY','2026-12-01 12:11:48.845637','2026-12-01 12:11:48.845637','2025-03-01 01:00:00.000000');
INSERT INTO "accounts" VALUES(2,'beta','newapi','fp-beta','USD','2026-12-01 12:11:48.845637','2026-12-01 12:11:48.845637','2025-03-01 00:00:00.000000');
INSERT INTO "accounts" VALUES(3,'gamma','newapi',NULL,'USD','2026-12-01 12:11:48.845637','2026-12-01 12:11:48.845637','2025-03-01 00:00:00.000000');
CREATE TABLE alert_state (
	account_id INTEGER NOT NULL, 
	rule VARCHAR(200) NOT NULL, 
	state TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_alert_state PRIMARY KEY (account_id, rule), 
	CONSTRAINT fk_alert_state_account_id_accounts FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
INSERT INTO "alert_state" VALUES(2,'low_balance','{"firing": true}','2026-12-01 12:11:48.925401');
CREATE TABLE alerts_sent (
	id INTEGER NOT NULL, 
	account_id INTEGER NOT NULL, 
	rule VARCHAR(200) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	at DATETIME NOT NULL, 
	message TEXT, 
	CONSTRAINT pk_alerts_sent PRIMARY KEY (id), 
	CONSTRAINT fk_alerts_sent_account_id_accounts FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
INSERT INTO "alerts_sent" VALUES(1,2,'low_balance','fired','2025-03-01 01:01:00.000000','beta is low');
CREATE TABLE balances (
	id INTEGER NOT NULL, 
	account_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	currency VARCHAR(16), 
	balance TEXT, 
	granted TEXT, 
	paid TEXT, 
	used TEXT, 
	unlimited BOOLEAN NOT NULL, 
	request_count BIGINT, 
	expires_at DATETIME, 
	CONSTRAINT pk_balances PRIMARY KEY (id), 
	CONSTRAINT fk_balances_account_id_accounts FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
INSERT INTO "balances" VALUES(1,1,'2025-03-01 00:00:00.000000','CNY','100.50','0.88','99.620',NULL,0,NULL,NULL);
INSERT INTO "balances" VALUES(2,2,'2025-03-01 00:00:00.000000','USD','5','10',NULL,'5.000',0,17,'2026-01-01 00:00:00.000000');
INSERT INTO "balances" VALUES(3,3,'2025-03-01 00:00:00.000000','USD',NULL,NULL,NULL,'3',1,NULL,NULL);
INSERT INTO "balances" VALUES(4,1,'2025-03-01 01:00:00.000000','CNY','90','0','90',NULL,0,NULL,NULL);
INSERT INTO "balances" VALUES(5,3,'2025-03-01 01:00:00.000000',NULL,NULL,NULL,NULL,NULL,0,NULL,NULL);
INSERT INTO "balances" VALUES(6,1,'2025-03-01 00:30:00.000000','CNY','95','0','95',NULL,0,NULL,NULL);
CREATE TABLE checks (
	id INTEGER NOT NULL, 
	account_id INTEGER NOT NULL, 
	checked_at DATETIME NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	message TEXT, 
	duration_ms INTEGER, 
	CONSTRAINT pk_checks PRIMARY KEY (id), 
	CONSTRAINT fk_checks_account_id_accounts FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
INSERT INTO "checks" VALUES(1,1,'2025-03-01 00:00:00.000000','ok',NULL,250);
INSERT INTO "checks" VALUES(2,2,'2025-03-01 00:00:00.000000','ok',NULL,NULL);
INSERT INTO "checks" VALUES(3,3,'2025-03-01 00:00:00.000000','ok',NULL,NULL);
INSERT INTO "checks" VALUES(4,1,'2025-03-01 01:00:00.000000','ok',NULL,NULL);
INSERT INTO "checks" VALUES(5,2,'2025-03-01 01:00:00.000000','unreachable','connection refused',10000);
INSERT INTO "checks" VALUES(6,3,'2025-03-01 01:00:00.000000','exhausted','quota exhausted',NULL);
INSERT INTO "checks" VALUES(7,1,'2025-03-01 00:30:00.000000','ok',NULL,NULL);
CREATE TABLE topup_alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT topup_alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "topup_alembic_version" VALUES('0001_initial');
CREATE INDEX ix_checks_account_time ON checks (account_id, checked_at, id);
CREATE INDEX ix_balances_account_time ON balances (account_id, at, id);
CREATE INDEX ix_alerts_sent_account_time ON alerts_sent (account_id, at);
COMMIT;
