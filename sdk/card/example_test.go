package card_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
)

func Example() {
	// In production the document comes from the shopper's browser, inside a
	// sealed envelope; this is Stripe's public test Visa.
	doc := []byte(`{"number":"4242 4242 4242 4242","exp_month":12,"exp_year":30,"cvc":"123"}`)
	c, err := card.Parse(doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, time.March, 15, 0, 0, 0, 0, time.UTC)
	fmt.Println(c, c.ExpYear, c.Validate(now))

	c.ExpYear = 2025
	err = c.Validate(now)
	fmt.Println(errors.Is(err, card.ErrExpired), err)
	// Output:
	// card(visa ****4242) 2030 <nil>
	// true card: card expired (end of 12/2025)
}

func ExampleCheckNumber() {
	// As the shopper types Stripe's public test Amex, digit group by group.
	for _, typed := range []string{"3", "37", "3782 822463", "3782 822463 10005", "3782 822463 10006"} {
		st := card.CheckNumber(typed)
		fmt.Printf("%-20q brand=%-5v valid=%-5v potentially=%v\n", typed, st.Brand, st.Valid, st.PotentiallyValid)
	}
	// Output:
	// "3"                  brand=<nil> valid=false potentially=true
	// "37"                 brand=amex  valid=false potentially=true
	// "3782 822463"        brand=amex  valid=false potentially=true
	// "3782 822463 10005"  brand=amex  valid=true  potentially=true
	// "3782 822463 10006"  brand=amex  valid=false potentially=false
}

func ExampleFormatNumber() {
	fmt.Println(card.FormatNumber("4242424242424242"))
	fmt.Println(card.FormatNumber("378282246310005"))
	fmt.Println(card.FormatNumber("36227206271667"))
	fmt.Println(card.Mask("4242 4242 4242 4242"))
	// Output:
	// 4242 4242 4242 4242
	// 3782 822463 10005
	// 3622 720627 1667
	// 424242******4242
}

func ExampleParseExpiry() {
	month, year, err := card.ParseExpiry("09 / 27")
	fmt.Println(month, year, err)
	_, _, err = card.ParseExpiry("13/27")
	fmt.Println(errors.Is(err, card.ErrInvalidExpiry))
	// Output:
	// 9 2027 <nil>
	// true
}
