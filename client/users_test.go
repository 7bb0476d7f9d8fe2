package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

func TestMe(t *testing.T) {
	t.Parallel()
	u, err := serveBody(t, `{"id":16,"identifier":"your-user@email.com","authProviderIdentifier":"email","formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},`+
		`"formIdentifier":"reg","total":"1","groups":[1],"state":{},"moduleFormConfigs":[],"rating":{}}`).Me(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 16, u.ID)
	assert.Equal(t, "email", u.AuthProviderIdentifier)
	assert.Equal(t, client.Count(1), u.Total)
	assert.Equal(t, []any{float64(1)}, u.Groups)
	assert.Equal(t, []client.FormDataItem{{Marker: "name_reg", Type: "string", Value: "Ivan"}}, u.FormData.Value)
}
