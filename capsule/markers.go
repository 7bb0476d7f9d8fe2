package capsule

import (
	"encoding/json"
	"strings"
)

// AuthMarkers returns the markers of the login and password fields of a form (a form as the
// API answers it): the attributes it flags isLogin and isPassword, else those named like a login
// (an e-mail) or a password. Either is "" when the form has no such field. An auth provider's
// users sign in with these markers in their authData.
func AuthMarkers(form json.RawMessage) (login, password string) {
	var f struct {
		Attributes []struct {
			Marker     string `json:"marker"`
			IsLogin    bool   `json:"isLogin"`
			IsPassword bool   `json:"isPassword"`
		} `json:"attributes"`
	}
	if json.Unmarshal(form, &f) != nil {
		return "", ""
	}
	var namedLogin, namedPassword string
	for _, a := range f.Attributes {
		lower := strings.ToLower(a.Marker)
		switch {
		case a.IsPassword && password == "":
			password = a.Marker
		case a.IsLogin && login == "":
			login = a.Marker
		case strings.Contains(lower, "pass") && namedPassword == "":
			namedPassword = a.Marker
		case (strings.Contains(lower, "email") || strings.Contains(lower, "login")) && namedLogin == "":
			namedLogin = a.Marker
		}
	}
	if login == "" {
		login = namedLogin
	}
	if password == "" {
		password = namedPassword
	}
	return login, password
}
