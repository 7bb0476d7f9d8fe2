package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oneentry-mock/oneentry-mock/client"
)

func TestParseProductEntityID(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		page, product int
		ok            bool
	}{
		"p-8-10":    {8, 10, true},
		"p-10-2954": {10, 2954, true},
		"8":         {0, 0, false},
		"p-8":       {0, 0, false},
		"p-x-10":    {0, 0, false},
		"p-8-y":     {0, 0, false},
		"p-8-0":     {0, 0, false},
		"p--8-10":   {0, 0, false},
		"q-8-10":    {0, 0, false},
		"p-8-10-1":  {0, 0, false},
	}
	for id, tc := range tests {
		page, product, ok := client.ParseProductEntityID(id)
		assert.Equal(t, tc.ok, ok, id)
		assert.Equal(t, tc.page, page, id)
		assert.Equal(t, tc.product, product, id)
	}
	assert.Equal(t, "p-8-10", client.ProductEntityID(8, 10))
}

func TestEntityOptionsSkipsDeselected(t *testing.T) {
	t.Parallel()
	no, yes := false, true
	parent := 8
	attr := client.FormAttribute{ListTitles: []client.ListTitle{
		{ID: float64(8), Title: "Билеты"},
		{ID: "p-8-10", Title: "Бронзовый", ParentID: &parent, Selected: &yes},
		{ID: "p-8-11", Title: "Серебряный", ParentID: &parent, Selected: &no},
		{ID: "p-8-12", Title: "Золотой", ParentID: &parent},
		{ID: "not-a-product", Title: "?"},
	}}
	opts := attr.EntityOptions()
	assert.Equal(t, []client.EntityOption{
		{ID: "p-8-10", PageID: 8, Title: "Бронзовый"},
		{ID: "p-8-12", PageID: 8, Title: "Золотой"},
	}, opts)
}
