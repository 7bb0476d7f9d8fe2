package client_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPageMenuAndCatalogue(t *testing.T) {
	t.Parallel()
	var body string
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, body) })
	c := api.client(t)

	body = `{"id":8,"parentId":null,"pageUrl":"tickets","depth":0,"localizeInfos":{"title":"Tickets"},"isVisible":true,"type":"catalog_page","templateIdentifier":null,"attributeSetIdentifier":null,"attributeValues":{},"isSync":false}`
	page, err := c.PageByURL(t.Context(), "tickets")
	require.NoError(t, err)
	assert.Equal(t, 8, page.ID)
	assert.Nil(t, page.ParentID)
	assert.Equal(t, "Tickets", page.LocalizeInfos.Value.Title)

	body = `{"id":1,"identifier":"main","localizeInfos":{"title":"Main"},"pages":[{"id":1,"pageUrl":"home","localizeInfos":{"title":"Home"},"attributeValues":{},"position":1,"parentId":null,"children":[{"id":3,"pageUrl":"history","localizeInfos":{"title":"History"},"attributeValues":{},"position":1,"parentId":2}]}]}`
	menu, err := c.Menu(t.Context(), "main")
	require.NoError(t, err)
	require.Len(t, menu.Pages, 1)
	require.NotNil(t, menu.Pages[0].PageURL)
	assert.Equal(t, "home", *menu.Pages[0].PageURL)
	require.Len(t, menu.Pages[0].Children, 1)
	assert.Equal(t, 2, *menu.Pages[0].Children[0].ParentID)

	body = `{"items":[{"id":10,"price":100}],"total":3}`
	list, err := c.ProductsByPageURL(t.Context(), "tickets", 0, 1)
	require.NoError(t, err)
	assert.Equal(t, 3, list.Total)
	require.Len(t, list.Items, 1)
	assert.Equal(t, 10, list.Items[0].ID)

	reqs := api.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "/api/content/pages/url/tickets", reqs[0].Path)
	assert.Equal(t, "/api/content/menus/marker/main", reqs[1].Path)
	assert.Equal(t, http.MethodPost, reqs[2].Method)
	assert.Equal(t, "/api/content/products/page/url/tickets", reqs[2].Path)
	assert.JSONEq(t, `{"filter":[]}`, reqs[2].Body)
	assert.Contains(t, reqs[2].RawQuery, "offset=0")
}
