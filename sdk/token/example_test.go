package token_test

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/sealpay/sealpay/edge/migrations"
	"log"

	_ "modernc.org/sqlite"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/token"
)

func Example() {
	ctx := context.Background()
	// A real server opens a file: "file:vault.db?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)".
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1) // every connection to :memory: is a new database
	defer db.Close()
	if err := migrations.Apply(ctx, db); err != nil {
		log.Fatal(err)
	}

	// The KEK secret comes from a Worker secret or a 0600 file, never from code.
	secret := make([]byte, 32)
	kek, err := token.NewLocalKEK("kek-2030-01", secret)
	if err != nil {
		log.Fatal(err)
	}
	keks, _ := token.NewKEKSet(kek)
	vault, err := token.NewSQLVault(db, keks, token.Options{})
	if err != nil {
		log.Fatal(err)
	}

	c := card.Card{Number: "4242 4242 4242 4242", ExpMonth: 12, ExpYear: 2034, CVC: "314"}
	s, err := vault.Tokenize(ctx, "m_shop", c, "visa", token.TokenizeOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(token.ValidTokenID(s.Token), s.Brand, s.Last4, len(s.Fingerprint))

	// The relay fills the provider's request…
	body, numbers, err := vault.Fill(ctx, "m_shop", []byte(`{"number":"{{`+s.Token+`:number}}","cvc":"{{`+s.Token+`:cvc}}"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(body), len(numbers))
	// …and masks card numbers in what the provider sends back.
	fmt.Printf("%s\n", token.Redact([]byte(`{"echo":"4242424242424242","status":"declined"}`), numbers))

	// The CVC was used once and is gone.
	_, _, err = vault.Fill(ctx, "m_shop", []byte(`{"cvc":"{{`+s.Token+`:cvc}}"}`))
	fmt.Println(err)
	// Output:
	// true visa 4242 46
	// 41 1
	// {"echo":"************4242","status":"declined"}
	// token: CVC no longer held
}

func ExampleFillPlaceholders() {
	values := map[string]string{"number": "4242424242424242", "exp_month": "12", "name": `Ana "A" <Souza>`}
	lookup := func(tok, field string) (string, error) { return values[field], nil }

	json := `{"card":{"number":"{{tok_4eC39HqLyjWDarjtT1zdp7:number}}","exp_month":{{tok_4eC39HqLyjWDarjtT1zdp7:exp_month}},"name":"{{tok_4eC39HqLyjWDarjtT1zdp7:name}}"}}`
	out, err := token.FillPlaceholders([]byte(json), lookup)
	fmt.Printf("%s %v\n", out, err)

	form := `card[name]={{tok_4eC39HqLyjWDarjtT1zdp7:name}}`
	out, err = token.FillPlaceholders([]byte(form), lookup)
	fmt.Printf("%s %v\n", out, err)

	_, err = token.FillPlaceholders([]byte(`{"name":{{tok_4eC39HqLyjWDarjtT1zdp7:name}}}`), lookup)
	fmt.Println(err)
	// Output:
	// {"card":{"number":"4242424242424242","exp_month":12,"name":"Ana \"A\" \u003cSouza\u003e"}} <nil>
	// card[name]=Ana+%22A%22+%3CSouza%3E <nil>
	// token: placeholder 1 is outside a JSON string: only exp_month and exp_year may be JSON numbers: token: bad relay template
}

func ExampleRedact() {
	answer := []byte(`card 4242 4242 4242 4242 declined; order 2030011512; ref 6212345678901234`)
	fmt.Printf("%s\n", token.Redact(answer, []string{"6212345678901234"}))
	// Output:
	// card **** **** **** 4242 declined; order 2030011512; ref ************1234
}
