package contracts

import (
	"testing"
)

// BenchmarkValidateRequest routes and validates the scenario's create-order request, the
// heaviest request body of the contract. The body is restored by each call, so one request is
// reused as the server would see a stream of identical ones.
func BenchmarkValidateRequest(b *testing.B) {
	v := testValidator(b)
	r := newRequest("POST", ordersPath, orderBody)
	r.Header.Set("Authorization", "Bearer a.b.c")
	for b.Loop() {
		if err := v.ValidateRequest(b.Context(), r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateResponse routes a form read and validates the recorded form against it.
func BenchmarkValidateResponse(b *testing.B) {
	v := testValidator(b)
	r := newRequest("GET", "/api/content/forms/marker/tickets_form?langCode=en_US", "")
	body := recorded(b, "form-tickets_form.json")
	for b.Loop() {
		if err := v.ValidateResponse(b.Context(), r, 200, jsonHeader, body); err != nil {
			b.Fatal(err)
		}
	}
}
