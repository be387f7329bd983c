package strictjson_test

import (
	"errors"
	"fmt"

	"github.com/sealpay/sealpay/sdk/envelope/strictjson"
)

func ExampleParse() {
	v, err := strictjson.Parse([]byte(`{"kid":"k1","exp":1700000600,"aud":"https://shop.example"}`), 1)
	if err != nil {
		panic(err)
	}
	kid, _ := v.Get("kid")
	exp, _ := v.Get("exp")
	fmt.Println(kid.Kind() == strictjson.String, kid.Text(), exp.Kind() == strictjson.Number, exp.Text())

	_, err = strictjson.Parse([]byte(`{"kid":"k1","k\u0069d":"k2"}`), 1)
	fmt.Println(errors.Is(err, strictjson.ErrDuplicate))
	// Output:
	// true k1 true 1700000600
	// true
}

func ExampleAppendString() {
	b := []byte(`{"name":`)
	b = strictjson.AppendString(b, "Zoë <Q&A>\n")
	b = append(b, '}')
	fmt.Println(string(b))
	// Output:
	// {"name":"Zoë \u003cQ\u0026A\u003e\n"}
}
