package token

import (
	"context"
	"crypto/cipher"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/wallet"
)

// Defaults for [Options].
const (
	DefaultCVCTTL       = 10 * time.Minute
	DefaultSingleUseTTL = 15 * time.Minute
	DefaultCVCKeyWindow = 5 * time.Minute
)

// Options tune a [Vault]. The zero value is the defaults.
type Options struct {
	CVCTTL       time.Duration    // how long a CVC is held; DefaultCVCTTL if zero
	SingleUseTTL time.Duration    // lifetime of a single-use token; DefaultSingleUseTTL if zero
	Now          func() time.Time // the clock; time.Now if nil

	// CVCKeys keeps the short-lived keys CVCs are sealed under (see
	// [CVCKeyStore]); the table vault_cvc_keys on the vault's executor
	// ([NewSQLCVCKeys]) if nil. Vaults that share a database must share
	// it too.
	CVCKeys CVCKeyStore
	// CVCKeyWindow is how long one CVC key seals new CVCs; each key is
	// destroyed CVCKeyWindow + CVCTTL after its window starts.
	// DefaultCVCKeyWindow if zero.
	CVCKeyWindow time.Duration
}

// TokenizeOptions are per-card choices for [Vault.Tokenize].
type TokenizeOptions struct {
	// SingleUse makes a token that dies after its first reveal or after
	// Options.SingleUseTTL, whichever comes first.
	SingleUse bool

	// JTI is the envelope's jti. If set, Tokenize records it until
	// JTIExpires and refuses it a second time with [ErrReplayed]. Pass the
	// envelope's exp plus the clock-skew allowance the envelope check uses,
	// so that a jti is remembered for as long as its envelope can open.
	JTI        string
	JTIExpires time.Time

	// Cryptogram and ECI are a wallet payment's one-time cryptogram and
	// electronic commerce indicator (sdk/wallet). They are held like a
	// CVC: sealed under the current CVC key, for Options.CVCTTL at most,
	// and taken (deleted) by the first reveal that asks for either.
	Cryptogram string
	ECI        string
}

// Field names one piece of card data for [Vault.Reveal]; they are also the
// field names of relay placeholders.
type Field string

// The fields.
const (
	FieldNumber   Field = "number"
	FieldCVC      Field = "cvc"
	FieldExpMonth Field = "exp_month"
	FieldExpYear  Field = "exp_year"
	FieldName     Field = "name"
	// FieldCryptogram and FieldECI are a wallet token's cryptogram and
	// ECI, held for minutes and revealed once (see TokenizeOptions).
	FieldCryptogram Field = "cryptogram"
	FieldECI        Field = "eci"
)

// ValidField reports whether f is one of the fields.
func ValidField(f Field) bool {
	switch f {
	case FieldNumber, FieldCVC, FieldExpMonth, FieldExpYear, FieldName, FieldCryptogram, FieldECI:
		return true
	}
	return false
}

// A Vault stores cards behind tokens in a SQL database: SQLite through
// modernc.org/sqlite, or Cloudflare D1. It is safe for concurrent use.
// Every operation that writes is one atomic unit ([sqlunit.Unit]): all of
// its statements take effect, or none (see docs/vault.md).
type Vault struct {
	ex   sqlunit.Executor
	keys *keyring
	opts Options
}

// NewVault returns a vault whose units run on ex, over a migrated schema
// (see [Migrate]). It does not touch the database; keys are loaded on
// first use.
func NewVault(ex sqlunit.Executor, keks *KEKSet, opts Options) (*Vault, error) {
	if ex == nil || keks == nil || keks.primary == nil {
		return nil, fmt.Errorf("token: NewVault needs an executor and a KEK set: %w", errBadRequest)
	}
	if opts.CVCTTL < 0 || opts.SingleUseTTL < 0 || opts.CVCKeyWindow < 0 {
		return nil, fmt.Errorf("token: negative TTL: %w", errBadRequest)
	}
	if opts.CVCTTL == 0 {
		opts.CVCTTL = DefaultCVCTTL
	}
	if opts.SingleUseTTL == 0 {
		opts.SingleUseTTL = DefaultSingleUseTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CVCKeyWindow == 0 {
		opts.CVCKeyWindow = DefaultCVCKeyWindow
	}
	if opts.CVCKeyWindow < time.Second || opts.CVCTTL < time.Second {
		return nil, fmt.Errorf("token: CVC TTL and key window must be at least a second: %w", errBadRequest)
	}
	if opts.CVCKeys == nil {
		opts.CVCKeys = NewSQLCVCKeys(ex)
	}
	return &Vault{
		ex:   ex,
		opts: opts,
		keys: &keyring{ex: ex, keks: keks, now: opts.Now, cvcStore: opts.CVCKeys,
			seal: map[string]cipher.AEAD{}, cvc: map[cvcKeyID]*cvcKey{}},
	}, nil
}

// NewSQLVault is [NewVault] on a database/sql handle of SQLite, one
// transaction per unit ([sqlunit.OnSQL]): for tools and tests.
func NewSQLVault(db *sql.DB, keks *KEKSet, opts Options) (*Vault, error) {
	if db == nil {
		return nil, fmt.Errorf("token: NewSQLVault needs a database: %w", errBadRequest)
	}
	return NewVault(sqlunit.OnSQL(db), keks, opts)
}

// Exec runs u on the vault's executor ([sqlunit.Exec]), with a failed
// guard turned into this package's error for it: [ErrReplayed],
// [ErrNotFound] or [ErrNoCVC]. Other failures are internal errors that
// keep their cause.
func (v *Vault) Exec(ctx context.Context, u sqlunit.Unit) ([]sqlunit.Rows, error) {
	rows, err := sqlunit.Exec(ctx, v.ex, u)
	if err == nil {
		return rows, nil
	}
	var r *sqlunit.Refusal
	if errors.As(err, &r) {
		switch r.Reason {
		case sqlunit.RefusedReplayed:
			return nil, ErrReplayed
		case sqlunit.RefusedNotFound:
			return nil, ErrNotFound
		case sqlunit.RefusedNoCVC:
			return nil, ErrNoCVC
		case sqlunit.RefusedNoCryptogram:
			return nil, ErrNoCryptogram
		}
	}
	if errcode.Of(err) != errcode.Internal {
		return nil, err // the tail's own error, e.g. the audit log's
	}
	return nil, internal("running a unit", err)
}

// Tokenize seals c for merchantID and returns the new token's metadata.
// brand is the brand id the caller detected (card.DetectBrand). The card is
// expected to be validated already; Tokenize only refuses shapes it cannot
// store, with the card package's codes.
//
// The jti (opts.JTI), the CVC and the token are one unit: a second
// Tokenize with the same jti returns [ErrReplayed] and stores nothing, and
// a Tokenize that fails stores nothing, not even the jti. The CVC, if any,
// is held separately for Options.CVCTTL (less if its CVC key, made by a
// process with a shorter TTL, ends sooner).
func (v *Vault) Tokenize(ctx context.Context, merchantID string, c card.Card, brand string, opts TokenizeOptions) (Stored, error) {
	s, stmts, err := v.PrepareTokenize(ctx, merchantID, c, brand, opts)
	if err != nil {
		return Stored{}, err
	}
	if _, err := v.Exec(ctx, sqlunit.Unit{Stmts: stmts}); err != nil {
		return Stored{}, err
	}
	return s, nil
}

// PrepareTokenize checks and seals c like [Vault.Tokenize] and returns
// the token it will be and the statements that store it, for the caller
// to run in a unit of its own making with [Vault.Exec] (a forward stores
// all its envelopes, and its audit entry, in one unit). Nothing is stored
// until then.
func (v *Vault) PrepareTokenize(ctx context.Context, merchantID string, c card.Card, brand string, opts TokenizeOptions) (Stored, []sqlunit.Stmt, error) {
	if err := checkMerchant(merchantID); err != nil {
		return Stored{}, nil, err
	}
	if !validBrand(brand) {
		return Stored{}, nil, fmt.Errorf("token: brand must be a brand id (1 to 32 characters from [a-z0-9_]): %w", errBadRequest)
	}
	number, err := normalizeNumber(c.Number)
	if err != nil {
		return Stored{}, nil, err
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 2199 {
		return Stored{}, nil, fmt.Errorf("token: expiry month must be 1 to 12 and year 2000 to 2199: %w", errBadExpiry)
	}
	if c.CVC != "" && !allDigits(c.CVC, 3, 4) {
		return Stored{}, nil, fmt.Errorf("token: CVC must be 3 or 4 digits (%d characters): %w", len(c.CVC), errBadCVC)
	}
	if err := checkName(c.Name); err != nil {
		return Stored{}, nil, err
	}
	now := v.opts.Now()
	if opts.JTI != "" {
		if !printableASCII(opts.JTI, 128) {
			return Stored{}, nil, fmt.Errorf("token: jti must be 1 to 128 printable ASCII characters: %w", errBadRequest)
		}
		if !opts.JTIExpires.After(now) {
			return Stored{}, nil, fmt.Errorf("token: jti expiry must be in the future: %w", errBadRequest)
		}
	}
	kekID := v.keys.keks.primary.ID()
	aead, err := v.keys.sealer(ctx, kekID)
	if err != nil {
		return Stored{}, nil, err
	}
	root, err := v.keys.fingerprintRoot(ctx)
	if err != nil {
		return Stored{}, nil, err
	}

	tok := NewTokenID()
	s := Stored{
		Token:       tok,
		MerchantID:  merchantID,
		Brand:       brand,
		Last4:       number[len(number)-4:],
		ExpMonth:    c.ExpMonth,
		ExpYear:     c.ExpYear,
		Fingerprint: fingerprint(root, merchantID, number),
		SingleUse:   opts.SingleUse,
		Created:     time.Unix(now.Unix(), 0).UTC(),
	}
	var expires any
	meta := cardMeta{token: tok, merchant: merchantID, brand: brand, last4: s.Last4, fingerprint: s.Fingerprint,
		expMonth: int64(c.ExpMonth), expYear: int64(c.ExpYear), singleUse: opts.SingleUse, created: s.Created.Unix()}
	if opts.SingleUse {
		s.Expires = s.Created.Add(v.opts.SingleUseTTL)
		expires = s.Expires.Unix()
		meta.expires = s.Expires.Unix()
	}
	sealed := sealCard(aead, kekID, meta, encodeCard(number, c.Name))
	stmts := make([]sqlunit.Stmt, 0, 4)
	if opts.JTI != "" {
		// A jti still remembered refuses the unit; one that expired but
		// was not purged yet is replaced.
		stmts = append(stmts,
			sqlunit.Refuse(sqlunit.RefusedReplayed, `SELECT 1 FROM vault_jtis WHERE jti = ? AND expires_at > ?`, opts.JTI, now.Unix()),
			sqlunit.S(`INSERT INTO vault_jtis (jti, merchant_id, expires_at) VALUES (?, ?, ?)
				ON CONFLICT (jti) DO UPDATE SET merchant_id = excluded.merchant_id, expires_at = excluded.expires_at`,
				opts.JTI, merchantID, opts.JTIExpires.Unix()))
	}
	if c.CVC != "" {
		window, key, err := v.currentCVCKey(ctx, kekID, now.Unix())
		if err != nil {
			return Stored{}, nil, err
		}
		// A key made by a process with a shorter TTL ends sooner: the CVC
		// never outlives its key.
		cvcExpires := min(now.Add(v.opts.CVCTTL).Unix(), key.expires)
		sealedCVC := sealCVC(key.aead, kekID, window, tok, merchantID, cvcExpires, encodeCVC(c.CVC))
		stmts = append(stmts, sqlunit.S(
			`INSERT INTO vault_cvcs (token, merchant_id, kek_id, sealed, expires_at) VALUES (?, ?, ?, ?, ?)`,
			tok, merchantID, kekID, sealedCVC, cvcExpires))
	}
	if opts.Cryptogram != "" || opts.ECI != "" {
		if (opts.Cryptogram != "" && !printableASCII(opts.Cryptogram, wallet.MaxCryptogramLen)) || (opts.ECI != "" && !allDigits(opts.ECI, 1, 2)) {
			return Stored{}, nil, fmt.Errorf("token: cryptogram must be at most 255 printable characters and ECI 1 or 2 digits: %w", errBadRequest)
		}
		window, key, err := v.currentCVCKey(ctx, kekID, now.Unix())
		if err != nil {
			return Stored{}, nil, err
		}
		expires := min(now.Add(v.opts.CVCTTL).Unix(), key.expires)
		sealedW := sealWallet(key.aead, kekID, window, tok, merchantID, expires, encodeWallet(opts.Cryptogram, opts.ECI))
		stmts = append(stmts, sqlunit.S(
			`INSERT INTO vault_wallet_creds (token, merchant_id, kek_id, sealed, expires_at) VALUES (?, ?, ?, ?, ?)`,
			tok, merchantID, kekID, sealedW, expires))
	}
	stmts = append(stmts, sqlunit.S(
		`INSERT INTO vault_tokens (token, merchant_id, brand, last4, exp_month, exp_year, fingerprint, single_use, kek_id, sealed, created_at, expires_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tok, merchantID, brand, s.Last4, int64(c.ExpMonth), int64(c.ExpYear), s.Fingerprint, boolInt(opts.SingleUse), kekID, sealed, s.Created.Unix(), expires))
	return s, stmts, nil
}

// Get returns a token's metadata. A token of another merchant, an expired
// or used single-use token and a missing one all give [ErrNotFound].
func (v *Vault) Get(ctx context.Context, merchantID, token string) (Stored, error) {
	if !ValidTokenID(token) || checkMerchant(merchantID) != nil {
		return Stored{}, ErrNotFound
	}
	rows, err := v.ex.Query(ctx,
		`SELECT brand, last4, exp_month, exp_year, fingerprint, single_use, created_at, expires_at
		 FROM vault_tokens WHERE token = ? AND merchant_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
		token, merchantID, v.opts.Now().Unix())
	if err != nil {
		return Stored{}, internal("reading token", err)
	}
	if len(rows) == 0 {
		return Stored{}, ErrNotFound
	}
	r := rows[0]
	s := Stored{
		Token: token, MerchantID: merchantID,
		Brand: r.String(0), Last4: r.String(1), ExpMonth: int(r.Int(2)), ExpYear: int(r.Int(3)),
		Fingerprint: r.String(4), SingleUse: r.Int(5) != 0, Created: time.Unix(r.Int(6), 0).UTC(),
	}
	if !r.Null(7) {
		s.Expires = time.Unix(r.Int(7), 0).UTC()
	}
	return s, nil
}

// Delete removes a token and its CVC. Deleting a token that [Vault.Get]
// would not find gives [ErrNotFound].
func (v *Vault) Delete(ctx context.Context, merchantID, token string) error {
	return v.DeleteWith(ctx, merchantID, token, nil)
}

// DeleteWith is [Vault.Delete] with the extra statements (an event to the
// merchant) and tail's statement (an audit entry) in the same unit.
func (v *Vault) DeleteWith(ctx context.Context, merchantID, token string, tail sqlunit.Tail, extra ...sqlunit.Stmt) error {
	if !ValidTokenID(token) || checkMerchant(merchantID) != nil {
		return ErrNotFound
	}
	_, err := v.Exec(ctx, sqlunit.Unit{Tail: tail, Stmts: append([]sqlunit.Stmt{
		sqlunit.RefuseUnless(sqlunit.RefusedNotFound, `SELECT 1 FROM vault_tokens WHERE token = ? AND merchant_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
			token, merchantID, v.opts.Now().Unix()),
		sqlunit.S(`DELETE FROM vault_cvcs WHERE token = ? AND merchant_id = ?`, token, merchantID),
		sqlunit.S(`DELETE FROM vault_wallet_creds WHERE token = ? AND merchant_id = ?`, token, merchantID),
		sqlunit.S(`DELETE FROM vault_tokens WHERE token = ? AND merchant_id = ?`, token, merchantID),
	}, extra...)})
	return err
}

// Reveal opens a token for the relay, and only for it: the returned card
// holds the requested fields (every field if none are named), the others
// are zero. It and [Vault.Fill] are the only methods that decrypt card
// data.
//
// Asking for [FieldCVC] takes the CVC out of the vault: it is returned once
// and deleted, and it is empty if already taken or expired. Revealing a
// single-use token, with any fields, consumes it and its CVC. Unknown field
// names give [ErrBadTemplate]; tokens Get would not find give [ErrNotFound].
func (v *Vault) Reveal(ctx context.Context, merchantID, token string, fields ...Field) (card.Card, error) {
	want, err := fieldSet(fields)
	if err != nil {
		return card.Card{}, err
	}
	cs, err := v.reveal(ctx, merchantID, []revealing{{token: token, want: want}}, nil)
	if err != nil {
		return card.Card{}, err
	}
	return cs[0].Card, nil
}

// revealed is a card a reveal opened, with the wallet cryptogram and ECI
// if they were asked for and still held.
type revealed struct {
	card.Card
	cryptogram, eci string
	hadWallet       bool // the wallet row was taken
}

// revealing is one token a reveal opens, and the fields it wants.
type revealing struct {
	token    string
	want     map[Field]bool
	needsCVC bool // refuse the whole unit with ErrNoCVC if the CVC is gone
	// needsCryptogram refuses the whole unit with ErrNoCryptogram if the
	// wallet row (cryptogram and ECI) is gone.
	needsCryptogram bool
}

// reveal opens the tokens in one unit: the single-use tokens it consumes,
// the CVCs it takes and tail's statement all take effect together, or —
// if any token is gone or a needed CVC is — none does.
func (v *Vault) reveal(ctx context.Context, merchantID string, rs []revealing, tail sqlunit.Tail) ([]revealed, error) {
	if checkMerchant(merchantID) != nil {
		return nil, ErrNotFound
	}
	now := v.opts.Now().Unix()
	type read struct {
		single bool
		kekID  string
		sealed []byte
		meta   cardMeta
		c      card.Card
		cvcAt  int // index of the CVC statement's rows, or -1
		walAt  int // index of the wallet statement's rows, or -1
	}
	reads := make([]read, len(rs))
	var stmts []sqlunit.Stmt
	for i, r := range rs {
		if !ValidTokenID(r.token) {
			return nil, ErrNotFound
		}
		rows, err := v.ex.Query(ctx,
			`SELECT `+cardColumns+` FROM vault_tokens
			 WHERE token = ? AND merchant_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
			r.token, merchantID, now)
		if err != nil {
			return nil, internal("reading token", err)
		}
		if len(rows) == 0 {
			return nil, ErrNotFound
		}
		kekID, sealed, meta := scanCard(rows[0])
		rd := read{single: meta.singleUse, kekID: kekID, sealed: sealed, meta: meta, cvcAt: -1, walAt: -1}
		rd.c.ExpMonth, rd.c.ExpYear = int(meta.expMonth), int(meta.expYear)
		wantWallet := r.want[FieldCryptogram] || r.want[FieldECI]
		if !rd.single && !r.want[FieldCVC] && !wantWallet {
			reads[i] = rd
			continue
		}
		// The token must still be there when the unit runs: of
		// concurrent reveals of a single-use token, exactly one consumes
		// it, and a CVC is taken once.
		stmts = append(stmts, sqlunit.RefuseUnless(sqlunit.RefusedNotFound,
			`SELECT 1 FROM vault_tokens WHERE token = ? AND merchant_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
			r.token, merchantID, now))
		if r.needsCVC {
			stmts = append(stmts, sqlunit.RefuseUnless(sqlunit.RefusedNoCVC,
				`SELECT 1 FROM vault_cvcs WHERE token = ? AND merchant_id = ? AND expires_at > ?`, r.token, merchantID, now))
		}
		if r.needsCryptogram {
			stmts = append(stmts, sqlunit.RefuseUnless(sqlunit.RefusedNoCryptogram,
				`SELECT 1 FROM vault_wallet_creds WHERE token = ? AND merchant_id = ? AND expires_at > ?`, r.token, merchantID, now))
		}
		if rd.single {
			stmts = append(stmts, sqlunit.S(`DELETE FROM vault_tokens WHERE token = ? AND merchant_id = ?`, r.token, merchantID))
		}
		if rd.single || r.want[FieldCVC] {
			rd.cvcAt = len(stmts)
			stmts = append(stmts, sqlunit.S(`DELETE FROM vault_cvcs WHERE token = ? AND merchant_id = ? RETURNING kek_id, sealed, expires_at`,
				r.token, merchantID))
		}
		if rd.single || wantWallet {
			// The cryptogram and the ECI go together: a reveal of
			// either takes both, and a single-use token's die with it.
			rd.walAt = len(stmts)
			stmts = append(stmts, sqlunit.S(`DELETE FROM vault_wallet_creds WHERE token = ? AND merchant_id = ? RETURNING kek_id, sealed, expires_at`,
				r.token, merchantID))
		}
		reads[i] = rd
	}
	var results []sqlunit.Rows
	if len(stmts) > 0 || tail != nil {
		var err error
		if results, err = v.Exec(ctx, sqlunit.Unit{Stmts: stmts, Tail: tail}); err != nil {
			return nil, err
		}
	}
	out := make([]revealed, len(rs))
	for i, r := range rs {
		rd := reads[i]
		c := revealed{Card: rd.c}
		if !r.want[FieldExpMonth] {
			c.ExpMonth = 0
		}
		if !r.want[FieldExpYear] {
			c.ExpYear = 0
		}
		if r.want[FieldNumber] || r.want[FieldName] {
			aead, err := v.keys.sealer(ctx, rd.kekID)
			if err != nil {
				return nil, err
			}
			pt, err := openCard(aead, rd.kekID, rd.meta, rd.sealed)
			if err != nil {
				return nil, fmt.Errorf("token: sealed card under KEK %q failed authentication: %w", rd.kekID, errInternal)
			}
			number, name, err := decodeCard(pt)
			if err != nil {
				return nil, fmt.Errorf("token: sealed card is malformed: %w", errInternal)
			}
			if r.want[FieldNumber] {
				c.Number = number
			}
			if r.want[FieldName] {
				c.Name = name
			}
		}
		if r.want[FieldCVC] && rd.cvcAt >= 0 && len(results[rd.cvcAt]) > 0 {
			cvc, err := v.openCVC(ctx, merchantID, r.token, results[rd.cvcAt][0], now)
			if err != nil {
				return nil, err
			}
			c.CVC = cvc
		}
		if (r.want[FieldCryptogram] || r.want[FieldECI]) && rd.walAt >= 0 && len(results[rd.walAt]) > 0 {
			cg, eci, err := v.openWallet(ctx, merchantID, r.token, results[rd.walAt][0], now)
			if err != nil {
				return nil, err
			}
			c.hadWallet = cg != "" || eci != ""
			if r.want[FieldCryptogram] {
				c.cryptogram = cg
			}
			if r.want[FieldECI] {
				c.eci = eci
			}
		}
		out[i] = c
	}
	return out, nil
}

// openCVC opens a CVC row taken by a reveal (kek_id, sealed, expires_at);
// "" if it had expired.
func (v *Vault) openCVC(ctx context.Context, merchantID, token string, row sqlunit.Row, now int64) (string, error) {
	kekID, sealed, expires := row.String(0), row.Bytes(1), row.Int(2)
	if expires <= now {
		return "", nil
	}
	pt, err := v.openCVCSealed(ctx, kekID, token, merchantID, expires, sealed, now)
	if pt == nil && err == nil {
		return "", nil // its key is gone: the CVC with it
	}
	if errors.Is(err, errOpenRow) {
		return "", fmt.Errorf("token: sealed CVC under KEK %q failed authentication: %w", kekID, errInternal)
	}
	if err != nil {
		return "", err // the key store's or the KEK's, with its cause
	}
	cvc, err := decodeCVC(pt)
	if err != nil {
		return "", fmt.Errorf("token: sealed CVC is malformed: %w", errInternal)
	}
	return cvc, nil
}

// Purge deletes what expired at now — CVCs, single-use tokens and recorded
// jtis, in one unit — then destroys the CVC keys that expired, in a unit
// of their own, and forgets them; it returns how many rows and keys went.
// Reads already ignore expired rows; what Purge adds is erasure: once a
// CVC key is destroyed, no CVC it sealed can be opened again (see
// [CVCKeyStore]). Run it from a timer or a cron trigger.
func (v *Vault) Purge(ctx context.Context, now time.Time) (n int, err error) {
	t := now.Unix()
	rows, err := v.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{
		sqlunit.S(`DELETE FROM vault_cvcs WHERE expires_at <= ? RETURNING 1`, t),
		sqlunit.S(`DELETE FROM vault_wallet_creds WHERE expires_at <= ? RETURNING 1`, t),
		sqlunit.S(`DELETE FROM vault_tokens WHERE expires_at IS NOT NULL AND expires_at <= ? RETURNING 1`, t),
		sqlunit.S(`DELETE FROM vault_jtis WHERE expires_at <= ? RETURNING 1`, t),
	}})
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		n += len(r)
	}
	// Every CVC a key sealed expires no later than the key, so the rows
	// are gone (or dead) by the time their key is destroyed.
	k, err := v.keys.cvcStore.Destroy(ctx, t)
	v.keys.forgetCVCKeys(t)
	if err != nil {
		return n, err
	}
	return n + k, nil
}

// currentCVCKey returns the window at now and the primary's CVC key for it,
// made if needed.
func (v *Vault) currentCVCKey(ctx context.Context, kekID string, now int64) (int64, *cvcKey, error) {
	w := int64(v.opts.CVCKeyWindow / time.Second)
	window := now - now%w
	key, err := v.keys.cvcKeyFor(ctx, kekID, window, now, window+w+int64(v.opts.CVCTTL/time.Second), true)
	if err == nil && key == nil {
		err = fmt.Errorf("token: the current CVC key expired as it was made: %w", errKeyMaterial)
	}
	return window, key, err
}

// openCVCSealed opens a CVC row of either version. It returns nil, nil if
// the row's CVC key is gone.
func (v *Vault) openCVCSealed(ctx context.Context, kekID, token, merchantID string, expires int64, sealed []byte, now int64) ([]byte, error) {
	window, ok := cvcWindow(sealed)
	if !ok {
		aead, err := v.keys.sealer(ctx, kekID)
		if err != nil {
			return nil, err
		}
		return openRow(aead, labelCVC, kekID, token, merchantID, sealed)
	}
	key, err := v.keys.cvcKeyFor(ctx, kekID, window, now, 0, false)
	if err != nil || key == nil {
		return nil, err
	}
	return openCVCRow(key.aead, kekID, token, merchantID, expires, sealed)
}

// cardColumns are the columns scanCard reads.
const cardColumns = `kek_id, sealed, brand, last4, exp_month, exp_year, fingerprint, single_use, created_at, expires_at, token, merchant_id`

// scanCard reads a row of cardColumns.
func scanCard(r sqlunit.Row) (kekID string, sealed []byte, m cardMeta) {
	return r.String(0), r.Bytes(1), cardMeta{
		brand: r.String(2), last4: r.String(3), expMonth: r.Int(4), expYear: r.Int(5),
		fingerprint: r.String(6), singleUse: r.Int(7) != 0, created: r.Int(8), expires: r.Int(9),
		token: r.String(10), merchant: r.String(11),
	}
}

func fieldSet(fields []Field) (map[Field]bool, error) {
	if len(fields) == 0 {
		fields = []Field{FieldNumber, FieldCVC, FieldExpMonth, FieldExpYear, FieldName}
	}
	want := make(map[Field]bool, len(fields))
	for _, f := range fields {
		switch f {
		case FieldNumber, FieldCVC, FieldExpMonth, FieldExpYear, FieldName, FieldCryptogram, FieldECI:
			want[f] = true
		default:
			return nil, fmt.Errorf("token: unknown field (%d characters): %w", len(f), ErrBadTemplate)
		}
	}
	return want, nil
}

// normalizeNumber removes spaces, dashes and NBSPs and requires 12 to 19
// ASCII digits. It does not check Luhn: that is the card package's job, and
// some UnionPay numbers do not use it.
func normalizeNumber(s string) (string, error) {
	b := make([]byte, 0, 19)
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			if len(b) == 19 {
				return "", fmt.Errorf("token: card number has more than 19 digits: %w", errBadNumber)
			}
			b = append(b, byte(r))
		case r == ' ' || r == '-' || r == '\u00a0':
		default:
			return "", fmt.Errorf("token: card number has a character other than digits, spaces and dashes: %w", errBadNumber)
		}
	}
	if len(b) < 12 {
		return "", fmt.Errorf("token: card number has %d digits, want 12 to 19: %w", len(b), errBadNumber)
	}
	return string(b), nil
}

func allDigits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func printableASCII(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func checkMerchant(id string) error {
	if !printableASCII(id, 128) {
		return fmt.Errorf("token: merchant id must be 1 to 128 printable ASCII characters: %w", errBadRequest)
	}
	return nil
}

func validBrand(b string) bool {
	if len(b) == 0 || len(b) > 32 {
		return false
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// maxName bounds the cardholder name: EMV allows 26 characters, people and
// forms write more.
const maxName = 256

func checkName(name string) error {
	if len(name) > maxName || !utf8.ValidString(name) {
		return fmt.Errorf("token: name must be valid UTF-8 of at most %d bytes: %w", maxName, errBadRequest)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f || (0x80 <= r && r < 0xa0) {
			return fmt.Errorf("token: name has a control character: %w", errBadRequest)
		}
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// openWallet opens a wallet row taken by a reveal (kek_id, sealed,
// expires_at); empty strings if it had expired or its key is gone.
func (v *Vault) openWallet(ctx context.Context, merchantID, token string, row sqlunit.Row, now int64) (cryptogram, eci string, err error) {
	kekID, sealed, expires := row.String(0), row.Bytes(1), row.Int(2)
	if expires <= now {
		return "", "", nil
	}
	window, ok := cvcWindow(sealed)
	if !ok {
		return "", "", fmt.Errorf("token: sealed wallet row is malformed: %w", errInternal)
	}
	key, err := v.keys.cvcKeyFor(ctx, kekID, window, now, 0, false)
	if err != nil {
		return "", "", err
	}
	if key == nil {
		return "", "", nil // its key is gone: the cryptogram with it
	}
	pt, err := openWalletRow(key.aead, kekID, token, merchantID, expires, sealed)
	if err != nil {
		return "", "", fmt.Errorf("token: sealed wallet row under KEK %q failed authentication: %w", kekID, errInternal)
	}
	cryptogram, eci, err = decodeWallet(pt)
	if err != nil {
		return "", "", fmt.Errorf("token: sealed wallet row is malformed: %w", errInternal)
	}
	return cryptogram, eci, nil
}
