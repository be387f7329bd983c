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
)

// Defaults for [Options].
const (
	DefaultCVCTTL       = 10 * time.Minute
	DefaultSingleUseTTL = 15 * time.Minute
)

// Options tune a [Vault]. The zero value is the defaults.
type Options struct {
	CVCTTL       time.Duration    // how long a CVC is held; DefaultCVCTTL if zero
	SingleUseTTL time.Duration    // lifetime of a single-use token; DefaultSingleUseTTL if zero
	Now          func() time.Time // the clock; time.Now if nil
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
)

// A Vault stores cards behind tokens in a SQL database: SQLite through
// modernc.org/sqlite, or Cloudflare D1. It is safe for concurrent use, and
// it never opens a transaction (D1 has none): every write is one statement,
// and multi-statement operations are ordered so that a crash between two of
// them leaves nothing that matters (see docs/vault.md).
type Vault struct {
	db    *sql.DB
	stmts *stmtCache
	keys  *keyring
	opts  Options
}

// NewSQLVault returns a vault over db, whose schema must be migrated (see
// [Migrate]). It does not touch the database; keys are loaded on first use.
func NewSQLVault(db *sql.DB, keks *KEKSet, opts Options) (*Vault, error) {
	if db == nil || keks == nil || keks.primary == nil {
		return nil, fmt.Errorf("token: NewSQLVault needs a database and a KEK set: %w", errBadRequest)
	}
	if opts.CVCTTL < 0 || opts.SingleUseTTL < 0 {
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
	return &Vault{
		db:    db,
		stmts: &stmtCache{db: db},
		opts:  opts,
		keys:  &keyring{db: db, keks: keks, now: opts.Now, seal: map[string]cipher.AEAD{}},
	}, nil
}

// Tokenize seals c for merchantID and returns the new token's metadata.
// brand is the brand id the caller detected (card.DetectBrand). The card is
// expected to be validated already; Tokenize only refuses shapes it cannot
// store, with the card package's codes.
//
// With opts.JTI set, the jti is recorded first: a second Tokenize with the
// same jti returns [ErrReplayed] and stores nothing. A Tokenize that fails
// after recording the jti also burns it; the browser seals a fresh envelope.
// The CVC, if any, is held separately for Options.CVCTTL.
func (v *Vault) Tokenize(ctx context.Context, merchantID string, c card.Card, brand string, opts TokenizeOptions) (Stored, error) {
	if err := checkMerchant(merchantID); err != nil {
		return Stored{}, err
	}
	if !validBrand(brand) {
		return Stored{}, fmt.Errorf("token: brand must be a brand id (1 to 32 characters from [a-z0-9_]): %w", errBadRequest)
	}
	number, err := normalizeNumber(c.Number)
	if err != nil {
		return Stored{}, err
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 2199 {
		return Stored{}, fmt.Errorf("token: expiry month must be 1 to 12 and year 2000 to 2199: %w", errBadExpiry)
	}
	if c.CVC != "" && !allDigits(c.CVC, 3, 4) {
		return Stored{}, fmt.Errorf("token: CVC must be 3 or 4 digits (%d characters): %w", len(c.CVC), errBadCVC)
	}
	if err := checkName(c.Name); err != nil {
		return Stored{}, err
	}
	now := v.opts.Now()
	if opts.JTI != "" {
		if !printableASCII(opts.JTI, 128) {
			return Stored{}, fmt.Errorf("token: jti must be 1 to 128 printable ASCII characters: %w", errBadRequest)
		}
		if !opts.JTIExpires.After(now) {
			return Stored{}, fmt.Errorf("token: jti expiry must be in the future: %w", errBadRequest)
		}
	}

	// Load keys before recording the jti, so that a key problem does not
	// burn the envelope.
	kekID := v.keys.keks.primary.ID()
	aead, err := v.keys.sealer(ctx, kekID)
	if err != nil {
		return Stored{}, err
	}
	root, err := v.keys.fingerprintRoot(ctx)
	if err != nil {
		return Stored{}, err
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
	var expires sql.NullInt64
	if opts.SingleUse {
		s.Expires = s.Created.Add(v.opts.SingleUseTTL)
		expires = sql.NullInt64{Int64: s.Expires.Unix(), Valid: true}
	}
	sealed := sealRow(aead, labelCard, kekID, tok, merchantID, encodeCard(number, c.Name))

	// 1. The jti, first: replay must be refused before anything is stored.
	if opts.JTI != "" {
		// RETURNING gives a row back only if this insert won: the check
		// and the record are one statement.
		var one int
		err := v.stmts.queryRow(ctx,
			`INSERT INTO vault_jtis (jti, merchant_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (jti) DO NOTHING RETURNING 1`,
			opts.JTI, merchantID, opts.JTIExpires.Unix()).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return Stored{}, ErrReplayed
		}
		if err != nil {
			return Stored{}, fmt.Errorf("token: recording jti: %w", errInternal)
		}
	}
	// 2. The CVC, before the token: if the token insert fails, the orphan
	// CVC row is unreachable and dies with its TTL.
	if c.CVC != "" {
		sealedCVC := sealRow(aead, labelCVC, kekID, tok, merchantID, encodeCVC(c.CVC))
		if _, err := v.stmts.exec(ctx,
			`INSERT INTO vault_cvcs (token, merchant_id, kek_id, sealed, expires_at) VALUES (?, ?, ?, ?, ?)`,
			tok, merchantID, kekID, sealedCVC, now.Add(v.opts.CVCTTL).Unix()); err != nil {
			return Stored{}, fmt.Errorf("token: storing CVC: %w", errInternal)
		}
	}
	// 3. The token row: once it exists the token is complete.
	if _, err := v.stmts.exec(ctx,
		`INSERT INTO vault_tokens (token, merchant_id, brand, last4, exp_month, exp_year, fingerprint, single_use, kek_id, sealed, created_at, expires_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tok, merchantID, brand, s.Last4, c.ExpMonth, c.ExpYear, s.Fingerprint, boolInt(opts.SingleUse), kekID, sealed, s.Created.Unix(), expires); err != nil {
		return Stored{}, fmt.Errorf("token: storing token: %w", errInternal)
	}
	return s, nil
}

// Get returns a token's metadata. A token of another merchant, an expired
// or used single-use token and a missing one all give [ErrNotFound].
func (v *Vault) Get(ctx context.Context, merchantID, token string) (Stored, error) {
	if !ValidTokenID(token) || checkMerchant(merchantID) != nil {
		return Stored{}, ErrNotFound
	}
	s := Stored{Token: token, MerchantID: merchantID}
	var single, created int64
	var expires sql.NullInt64
	err := v.stmts.queryRow(ctx,
		`SELECT brand, last4, exp_month, exp_year, fingerprint, single_use, created_at, expires_at
		 FROM vault_tokens WHERE token = ? AND merchant_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
		token, merchantID, v.opts.Now().Unix()).
		Scan(&s.Brand, &s.Last4, &s.ExpMonth, &s.ExpYear, &s.Fingerprint, &single, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Stored{}, ErrNotFound
	}
	if err != nil {
		return Stored{}, fmt.Errorf("token: reading token: %w", errInternal)
	}
	s.SingleUse = single != 0
	s.Created = time.Unix(created, 0).UTC()
	if expires.Valid {
		s.Expires = time.Unix(expires.Int64, 0).UTC()
	}
	return s, nil
}

// Delete removes a token and its CVC. Deleting a token that [Vault.Get]
// would not find gives [ErrNotFound].
func (v *Vault) Delete(ctx context.Context, merchantID, token string) error {
	if !ValidTokenID(token) || checkMerchant(merchantID) != nil {
		return ErrNotFound
	}
	// CVC first: a crash in between leaves a token without a CVC, which is
	// what every token becomes after CVCTTL anyway.
	if _, err := v.stmts.exec(ctx, `DELETE FROM vault_cvcs WHERE token = ? AND merchant_id = ?`, token, merchantID); err != nil {
		return fmt.Errorf("token: deleting CVC: %w", errInternal)
	}
	var expires sql.NullInt64
	err := v.stmts.queryRow(ctx, `DELETE FROM vault_tokens WHERE token = ? AND merchant_id = ? RETURNING expires_at`, token, merchantID).Scan(&expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("token: deleting token: %w", errInternal)
	}
	if expires.Valid && expires.Int64 <= v.opts.Now().Unix() {
		return ErrNotFound // it was already dead
	}
	return nil
}

// Reveal opens a token for the relay, and only for it: the returned card
// holds the requested fields (every field if none are named), the others
// are zero. It is the only method that decrypts card data.
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
	if !ValidTokenID(token) || checkMerchant(merchantID) != nil {
		return card.Card{}, ErrNotFound
	}
	now := v.opts.Now().Unix()
	var single int64
	var kekID string
	var sealed []byte
	var c card.Card
	err = v.stmts.queryRow(ctx,
		`SELECT single_use, kek_id, sealed, exp_month, exp_year FROM vault_tokens
		 WHERE token = ? AND merchant_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
		token, merchantID, now).Scan(&single, &kekID, &sealed, &c.ExpMonth, &c.ExpYear)
	if errors.Is(err, sql.ErrNoRows) {
		return card.Card{}, ErrNotFound
	}
	if err != nil {
		return card.Card{}, fmt.Errorf("token: reading token: %w", errInternal)
	}
	if single != 0 {
		// Claim the single-use token: of concurrent reveals, exactly one
		// gets the row back. A crash after this loses the token, never
		// reveals it twice.
		err = v.stmts.queryRow(ctx,
			`DELETE FROM vault_tokens WHERE token = ? AND merchant_id = ? AND expires_at > ? RETURNING kek_id, sealed`,
			token, merchantID, now).Scan(&kekID, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return card.Card{}, ErrNotFound
		}
		if err != nil {
			return card.Card{}, fmt.Errorf("token: claiming single-use token: %w", errInternal)
		}
	}
	if !want[FieldExpMonth] {
		c.ExpMonth = 0
	}
	if !want[FieldExpYear] {
		c.ExpYear = 0
	}
	if want[FieldNumber] || want[FieldName] {
		aead, err := v.keys.sealer(ctx, kekID)
		if err != nil {
			return card.Card{}, err
		}
		pt, err := openRow(aead, labelCard, kekID, token, merchantID, sealed)
		if err != nil {
			return card.Card{}, fmt.Errorf("token: sealed card under KEK %q failed authentication: %w", kekID, errInternal)
		}
		number, name, err := decodeCard(pt)
		if err != nil {
			return card.Card{}, fmt.Errorf("token: sealed card is malformed: %w", errInternal)
		}
		if want[FieldNumber] {
			c.Number = number
		}
		if want[FieldName] {
			c.Name = name
		}
	}
	if want[FieldCVC] || single != 0 {
		cvc, err := v.takeCVC(ctx, merchantID, token, now)
		if err != nil {
			return card.Card{}, err
		}
		if want[FieldCVC] {
			c.CVC = cvc
		}
	}
	return c, nil
}

// takeCVC deletes the token's CVC and returns it if it had not expired.
// The delete is the read, so two concurrent reveals cannot both get it.
func (v *Vault) takeCVC(ctx context.Context, merchantID, token string, now int64) (string, error) {
	var kekID string
	var sealed []byte
	var expires int64
	err := v.stmts.queryRow(ctx,
		`DELETE FROM vault_cvcs WHERE token = ? AND merchant_id = ? RETURNING kek_id, sealed, expires_at`,
		token, merchantID).Scan(&kekID, &sealed, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("token: taking CVC: %w", errInternal)
	}
	if expires <= now {
		return "", nil
	}
	aead, err := v.keys.sealer(ctx, kekID)
	if err != nil {
		return "", err
	}
	pt, err := openRow(aead, labelCVC, kekID, token, merchantID, sealed)
	if err != nil {
		return "", fmt.Errorf("token: sealed CVC under KEK %q failed authentication: %w", kekID, errInternal)
	}
	cvc, err := decodeCVC(pt)
	if err != nil {
		return "", fmt.Errorf("token: sealed CVC is malformed: %w", errInternal)
	}
	return cvc, nil
}

// Purge deletes what expired at now: CVCs, single-use tokens and recorded
// jtis, and returns how many rows went. Reads already ignore expired rows,
// so Purge is housekeeping (run it from a timer or a cron trigger).
func (v *Vault) Purge(ctx context.Context, now time.Time) (n int, err error) {
	t := now.Unix()
	for _, q := range []string{
		`DELETE FROM vault_cvcs WHERE expires_at <= ?`,
		`DELETE FROM vault_tokens WHERE expires_at IS NOT NULL AND expires_at <= ?`,
		`DELETE FROM vault_jtis WHERE expires_at <= ?`,
	} {
		res, err := v.stmts.exec(ctx, q, t)
		if err != nil {
			return n, fmt.Errorf("token: purging: %w", errInternal)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, fmt.Errorf("token: purging: %w", errInternal)
		}
		n += int(k)
	}
	return n, nil
}

func fieldSet(fields []Field) (map[Field]bool, error) {
	if len(fields) == 0 {
		fields = []Field{FieldNumber, FieldCVC, FieldExpMonth, FieldExpYear, FieldName}
	}
	want := make(map[Field]bool, len(fields))
	for _, f := range fields {
		switch f {
		case FieldNumber, FieldCVC, FieldExpMonth, FieldExpYear, FieldName:
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
