package contracts

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// jsonBodyCases are bodies the decoder takes itself and bodies it leaves to encoding/json.
var jsonBodyCases = []string{
	orderBody,
	`{}`, `[]`, ` { } `, "\t[\n]\r\n", `{"a":{}}`, `[[],[{}]]`,
	`"x"`, `""`, `0`, `-0`, `12`, `-12.5e+3`, `1E9`, `0.0`, `true`, `false`, `null`,
	`{"a":1,"a":2}`, `{"a":[1,"b",true,null,{"c":-1.5}]}`,
	`{"text":"line\nbreak \"quoted\" \u00e9 \ud83d\ude00"}`, `"\ud800"`, `"\ud800\u0041"`, `"\/"`,
	`"é ü 日本"`, `"\u2028"`,
	// What encoding/json takes with a change or rejects: the decoder must not take these itself.
	"\"\xff\"", "\"a\x01\"", `"\x"`, `"\u12"`, `01`, `1.`, `.5`, `1e`, `-`, `+1`, `1e+`,
	`tru`, `nul`, `[1,]`, `{"a":1,}`, `{"a"}`, `{a:1}`, `[1 2]`, `{"a":1 "b":2}`,
	`{} x`, `1 2`, `"a"b`, `[1]]`, ``, `   `, `{`, `[`, `"abc`, "\xef\xbb\xbf{}",
	strings.Repeat("[", 300) + strings.Repeat("]", 300),
	strings.Repeat(`{"a":`, 250) + "1" + strings.Repeat("}", 250),
}

// TestJSONBodyDecodesLikeKinOpenAPI holds the registered decoder to kin-openapi's own: the same
// value, or the same error, for every body but those with more after their value.
func TestJSONBodyDecodesLikeKinOpenAPI(t *testing.T) {
	t.Parallel()
	for _, body := range jsonBodyCases {
		checkJSONBody(t, body)
	}
}

func FuzzJSONBody(f *testing.F) {
	for _, body := range jsonBodyCases {
		f.Add(body)
	}
	f.Fuzz(checkJSONBody)
}

func checkJSONBody(t *testing.T, body string) {
	header := http.Header{"Content-Type": {"application/json"}}
	want, wantErr := openapi3filter.JSONBodyDecoder(strings.NewReader(body), header, nil, nil)
	got, gotErr := jsonBody(strings.NewReader(body), header, nil, nil)
	if wantErr == nil && !json.Valid([]byte(body)) {
		if gotErr == nil {
			t.Fatalf("body %q: taken as %#v; it has more after its value", body, got)
		}
		return
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
		t.Fatalf("body %q: got %#v, %v; kin-openapi %#v, %v", body, got, gotErr, want, wantErr)
	}
	// Where the decoder answers itself, encoding/json must agree that the body is one value.
	if v, ok := decodeJSON(body); ok {
		var ref any
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&ref); err != nil || !reflect.DeepEqual(v, ref) {
			t.Fatalf("body %q: decoded %#v; encoding/json %#v, %v", body, v, ref, err)
		}
	}
}

// TestJSONBodyIsRegistered checks that request validation goes through the decoder.
func TestJSONBodyIsRegistered(t *testing.T) {
	t.Parallel()
	got := openapi3filter.RegisteredBodyDecoder("application/json")
	if reflect.ValueOf(got).Pointer() != reflect.ValueOf(openapi3filter.BodyDecoder(jsonBody)).Pointer() {
		t.Fatal("application/json is not decoded by jsonBody")
	}
}

func BenchmarkJSONBody(b *testing.B) {
	header := http.Header{"Content-Type": {"application/json"}}
	for _, bc := range []struct {
		name    string
		decoder openapi3filter.BodyDecoder
	}{{"kin-openapi", openapi3filter.JSONBodyDecoder}, {"contracts", jsonBody}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.decoder(strings.NewReader(orderBody), header, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
