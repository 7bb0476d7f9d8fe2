package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// seatFixtures is the default fixture set with ten seats per schedule slot, so state tests
// cover seat usage, which a document never holds and an import must rebuild.
func seatFixtures(t testing.TB) *store.Fixtures {
	t.Helper()
	fsys := fixtures.Copy()
	var storages []map[string]any
	require.NoError(t, json.Unmarshal(fsys[store.FileOrderStorages].Data, &storages))
	storages[0]["seats"] = map[string]any{"perSlot": 10}
	data, err := json.Marshal(storages)
	require.NoError(t, err)
	fsys[store.FileOrderStorages] = &fstest.MapFile{Data: data}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	return fx
}

var stateSlot = schedule.Slot{
	Start: time.Date(2025, 4, 26, 16, 30, 0, 0, time.UTC),
	End:   time.Date(2025, 4, 26, 18, 0, 0, 0, time.UTC),
}

// stateOrder is an order for quantity tickets of product 10 on stateSlot.
func stateOrder(t testing.TB, account string, quantity int) store.OrderInput {
	t.Helper()
	var items []store.FormDataItem
	for _, raw := range []string{
		`{"marker":"tickets","type":"entity","value":["p-8-10"]}`,
		`{"marker":"schedule","type":"timeInterval","value":[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"]]}`,
	} {
		item, ok, err := store.ParseFormDataItem(json.RawMessage(raw))
		require.NoError(t, err)
		require.True(t, ok)
		items = append(items, item)
	}
	return store.OrderInput{
		FormIdentifier:           "tickets_form",
		PaymentAccountIdentifier: account,
		FormData:                 items,
		Products:                 []store.OrderLine{{ProductID: 10, Quantity: quantity}},
	}
}

func frozenClock() *store.Clock {
	c := store.NewClock(nil)
	c.Set(time.Date(2025, 4, 20, 10, 0, 0, 0, time.UTC))
	c.Freeze()
	return c
}

// busyState drives a store through every kind of change a request can make, and returns the
// refresh token of a live session.
func busyState(t testing.TB, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	_, _, err := st.SignUp(ctx, store.SignUpInput{
		ProviderMarker:   "email",
		Credentials:      creds("new@example.com", "s3cret"),
		FormData:         []store.FormDataItem{mustItem(t, `{"marker":"name_reg","type":"string","value":"Neo"}`)},
		NotificationData: json.RawMessage(`{"email":"new@example.com"}`),
	})
	require.NoError(t, err)
	_, err = st.GenerateCode(ctx, "email", "new@example.com", "reg")
	require.NoError(t, err)
	_, err = st.GenerateCode(ctx, "email", "your-user@email.com", "") // no event is still a state to keep
	require.NoError(t, err)
	first, err := st.Authenticate(ctx, "email", creds("your-user@email.com", "123456"), store.DeviceInfo{OS: "Linux", Browser: "Firefox"})
	require.NoError(t, err)
	second, err := st.Authenticate(ctx, "email", creds("your-user@email.com", "123456"), store.DeviceInfo{OS: "iOS"})
	require.NoError(t, err)
	require.NoError(t, st.Logout(ctx, 16, "email", first.RefreshToken))

	paid, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 2))
	require.NoError(t, err)
	canceled, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 3))
	require.NoError(t, err)
	open, err := st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 1))
	require.NoError(t, err)
	checkout := testCheckoutURL

	ps, err := st.CreatePaymentSession(ctx, 16, paid.ID, store.SessionTypeSession, checkout)
	require.NoError(t, err)
	_, _, err = st.ApplyPaymentAction(ctx, ps.ID, store.ActionDecline)
	require.NoError(t, err)
	_, _, err = st.ApplyPaymentAction(ctx, ps.ID, store.ActionComplete)
	require.NoError(t, err)
	cs, err := st.CreatePaymentSession(ctx, 16, canceled.ID, store.SessionTypeIntent, checkout)
	require.NoError(t, err)
	_, _, err = st.ApplyPaymentAction(ctx, cs.ID, store.ActionCancel)
	require.NoError(t, err)
	pending, err := st.CreatePaymentSession(ctx, 17, open.ID, store.SessionTypeSession, nil)
	require.NoError(t, err)
	status := "pending"
	_, err = st.UpdatePaymentSession(ctx, 17, pending.ID, store.PaymentSessionUpdate{Status: &status})
	require.NoError(t, err)
	st.Clock().Advance(90 * time.Second)
	return second.RefreshToken
}

// busyStore returns the seat fixtures and a store on a frozen clock that busyState has driven.
func busyStore(t testing.TB) (*store.Fixtures, *store.Store) {
	t.Helper()
	fx := seatFixtures(t)
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	busyState(t, st)
	return fx, st
}

func mustItem(t testing.TB, raw string) store.FormDataItem {
	t.Helper()
	item, ok, err := store.ParseFormDataItem(json.RawMessage(raw))
	require.NoError(t, err)
	require.True(t, ok)
	return item
}

func exportJSON(t testing.TB, st *store.Store) string {
	t.Helper()
	data, err := json.MarshalIndent(st.Export(context.Background()), "", "  ")
	require.NoError(t, err)
	return string(data)
}

func TestExportResetImportRestoresIdenticalState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(store.Options{Fixtures: seatFixtures(t), Clock: frozenClock()})
	refresh := busyState(t, st)
	left, _, err := st.SeatsLeft("tickets", stateSlot)
	require.NoError(t, err)
	require.Equal(t, 7, left, "the paid order and the open one hold 3 seats; the canceled one gave its 3 back")

	doc := st.Export(ctx)
	before := exportJSON(t, st)
	assert.Equal(t, before, exportJSON(t, st), "two exports of one state must be byte-equal")

	require.NoError(t, st.Reset(ctx))
	require.NotEqual(t, before, exportJSON(t, st))
	left, _, err = st.SeatsLeft("tickets", stateSlot)
	require.NoError(t, err)
	require.Equal(t, 10, left)

	require.NoError(t, st.Import(ctx, doc))
	assert.JSONEq(t, before, exportJSON(t, st))
	assert.Equal(t, before, exportJSON(t, st))

	// The derived state came back with it.
	left, _, err = st.SeatsLeft("tickets", stateSlot)
	require.NoError(t, err)
	assert.Equal(t, 7, left)
	_, err = st.Refresh(ctx, "email", refresh)
	assert.NoError(t, err, "a refresh token in the document works after the import")
	_, err = st.Authenticate(ctx, "email", creds("new@example.com", "s3cret"), store.DeviceInfo{})
	assert.NoError(t, err, "the signed-up user's password is in the document")
	assert.True(t, st.Clock().Frozen())
	next, err := st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 1))
	require.NoError(t, err)
	assert.Equal(t, doc.Counters.NextOrderID, next.ID, "ids continue from the document's counters")
	orders, total, err := st.Orders(ctx, 16, "tickets", store.Page{})
	require.NoError(t, err)
	assert.Equal(t, 2, total)
	assert.Greater(t, orders[0].ID, orders[1].ID, "newest first, as before the import")
}

func TestStateDocumentSurvivesJSON(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx, st := busyStore(t)
	before := exportJSON(t, st)

	doc, err := store.DecodeStateDocument([]byte(before))
	require.NoError(t, err)
	other := store.New(store.Options{Fixtures: fx, AppToken: "other", TokenSecret: "other-secret"})
	require.NoError(t, other.Import(ctx, doc))
	assert.Equal(t, before, exportJSON(t, other))
	assert.Equal(t, st.Clock().Now(), other.Clock().Now(), "a frozen clock travels with the document")

	var top map[string]any
	require.NoError(t, json.Unmarshal([]byte(before), &top))
	assert.Equal(t, "oneentry-mock-state", top["format"])
	assert.EqualValues(t, 1, top["version"])
	assert.NotContains(t, before, "your-app-token", "the document names no sandbox")
}

func TestRunningClockTravelsAsOffset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := seatFixtures(t)
	host := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	st := store.New(store.Options{Fixtures: fx, Clock: store.NewClock(func() time.Time { return host })})
	st.Clock().Advance(2 * time.Hour)
	doc := st.Export(ctx)
	assert.Equal(t, store.ClockState{Offset: "2h0m0s"}, doc.Clock)

	later := host.Add(24 * time.Hour)
	other := store.New(store.Options{Fixtures: fx, Clock: store.NewClock(func() time.Time { return later })})
	require.NoError(t, other.Import(ctx, doc))
	assert.Equal(t, later.Add(2*time.Hour), other.Now())
	assert.False(t, other.Clock().Frozen())
}

func TestImportedWaitingSessionExpiresOnTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := seatFixtures(t)
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	o, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 4))
	require.NoError(t, err)
	ps, err := st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, nil)
	require.NoError(t, err)
	doc := st.Export(ctx)

	other := store.New(store.Options{Fixtures: fx, Clock: store.NewClock(nil)})
	require.NoError(t, other.Import(ctx, doc))
	other.Clock().Advance(31 * time.Minute)
	got, err := other.PaymentSession(ctx, 16, ps.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusExpired, got.Status, "the waiting index is rebuilt from the statuses")
	left, _, err := other.SeatsLeft("tickets", stateSlot)
	require.NoError(t, err)
	assert.Equal(t, 10, left, "the expired order gave its seats back")
}

func TestImportRejectsBadDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx, src := busyStore(t)
	good, err := json.Marshal(src.Export(ctx))
	require.NoError(t, err)

	tests := map[string]struct {
		edit      func(d *store.StateDocument)
		wantField string
	}{
		"format":               {func(d *store.StateDocument) { d.Format = "something-else" }, "format:"},
		"version":              {func(d *store.StateDocument) { d.Version = 2 }, "version:"},
		"clock offset":         {func(d *store.StateDocument) { d.Clock.Offset = "soon" }, "clock.offset:"},
		"user id":              {func(d *store.StateDocument) { d.Users[0].ID = 0 }, "users[0].id:"},
		"duplicate user":       {func(d *store.StateDocument) { d.Users[1].ID = d.Users[0].ID }, "users[1].id:"},
		"duplicate login":      {func(d *store.StateDocument) { d.Users[1].Identifier = strings.ToUpper(d.Users[0].Identifier) }, "users[1].identifier:"},
		"unknown provider":     {func(d *store.StateDocument) { d.Users[2].AuthProviderIdentifier = "phone" }, "users[2].authProviderIdentifier:"},
		"bad form data":        {func(d *store.StateDocument) { d.Users[0].FormData[0] = json.RawMessage(`{"marker":""}`) }, "users[0].formData[0]:"},
		"session of nobody":    {func(d *store.StateDocument) { d.AuthSessions[0].UserID = 99 }, "authSessions[0].userId:"},
		"shared refresh token": {func(d *store.StateDocument) { d.AuthSessions = append(d.AuthSessions, withID(d.AuthSessions[0], 50)) }, "authSessions[1].refreshToken:"},
		"order of nobody":      {func(d *store.StateDocument) { d.Orders[2].UserID = 99 }, "orders[2].userId:"},
		"order storage":        {func(d *store.StateDocument) { d.Orders[0].StorageMarker = "gone" }, "orders[0].storageMarker:"},
		"order storage id":     {func(d *store.StateDocument) { d.Orders[0].StorageID = 7 }, "orders[0].storageId:"},
		"order status":         {func(d *store.StateDocument) { d.Orders[0].StatusIdentifier = "lost" }, "orders[0].statusIdentifier:"},
		"order account":        {func(d *store.StateDocument) { d.Orders[1].PaymentAccountIdentifier = "venmo" }, "orders[1].paymentAccountIdentifier:"},
		"order line twice": {func(d *store.StateDocument) {
			d.Orders[1].Products = append(d.Orders[1].Products[:1], d.Orders[1].Products[0])
		}, "orders[1].products[1].productId:"},
		"order quantity beyond the API's": {func(d *store.StateDocument) { d.Orders[1].Products[0].Quantity = math.MaxInt }, "orders[1].products[0].quantity:"},
		"order unit price negative":       {func(d *store.StateDocument) { d.Orders[1].Products[0].PriceCents = new(int64(-1)) }, "orders[1].products[0].priceCents:"},
		"order line beyond counting": {func(d *store.StateDocument) {
			d.Orders[1].Products[0].Quantity, d.Orders[1].Products[0].PriceCents = store.MaxLineQuantity, new(int64(store.MaxStoredCents))
		}, "orders[1].products[0].priceCents:"},
		"order total negative":            {func(d *store.StateDocument) { d.Orders[1].TotalCents = -5 }, "orders[1].totalCents:"},
		"order bonus negative":            {func(d *store.StateDocument) { discountsOf(d, 1).BonusAppliedCents = -1_000_000 }, "orders[1].discounts.bonusAppliedCents:"},
		"order bonus beyond its total":    {func(d *store.StateDocument) { discountsOf(d, 1).BonusAppliedCents = d.Orders[1].TotalCents + 1 }, "orders[1].discounts.bonusAppliedCents:"},
		"order coupon the fixtures lack":  {func(d *store.StateDocument) { discountsOf(d, 1).CouponCode = "NOPE" }, "orders[1].discounts.couponCode:"},
		"order raw total beyond counting": {func(d *store.StateDocument) { discountsOf(d, 1).RawCents = math.MaxInt64 }, "orders[1].discounts.rawCents:"},
		"order balance beyond counting":   {func(d *store.StateDocument) { discountsOf(d, 1).BonusAvailableCents = math.MinInt64 }, "orders[1].discounts.bonusAvailableCents:"},
		"session of no order":             {func(d *store.StateDocument) { d.PaymentSessions[0].OrderID = 999 }, "paymentSessions[0].orderId:"},
		"session of other buyer":          {func(d *store.StateDocument) { d.PaymentSessions[0].UserID = 17 }, "paymentSessions[0].userId:"},
		"session account":                 {func(d *store.StateDocument) { d.PaymentSessions[1].PaymentAccountID = 999 }, "paymentSessions[1].paymentAccountId:"},
		"session type":                    {func(d *store.StateDocument) { d.PaymentSessions[2].Type = "card" }, "paymentSessions[2].type:"},
		"checkout token shape":            {func(d *store.StateDocument) { d.PaymentSessions[0].CheckoutToken = "../../x" }, "paymentSessions[0].checkoutToken:"},
		"shared checkout token":           {func(d *store.StateDocument) { d.PaymentSessions[1].CheckoutToken = d.PaymentSessions[0].CheckoutToken }, "paymentSessions[1].checkoutToken:"},
		"code of nobody":                  {func(d *store.StateDocument) { d.Codes[0].UserID = 99 }, "codes[0].userId:"},
		"cart line twice": {func(d *store.StateDocument) {
			d.Carts = []store.Cart{{Owner: "guest/3f0c2a91-1d44-4a0b-9d2e-6b71f0c2a913", Items: []store.CartItem{{ProductID: 10, Qty: 1}, {ProductID: 10, Qty: 2}}}}
		}, "carts[0].items[1].productId:"},
		"guest carts beyond the bound": {func(d *store.StateDocument) {
			d.Carts = nil
			for i := range store.MaxGuestCarts + 1 {
				d.Carts = append(d.Carts, store.Cart{Owner: fmt.Sprintf("guest/00000000-0000-4000-8000-%012d", i), Items: []store.CartItem{{ProductID: 10, Qty: 1}}})
			}
		}, fmt.Sprintf("carts[%d].owner:", store.MaxGuestCarts)},
		"order counter":   {func(d *store.StateDocument) { d.Counters.NextOrderID = d.Orders[2].ID }, "counters.nextOrderId:"},
		"user counter":    {func(d *store.StateDocument) { d.Counters.NextUserID = 0 }, "counters.nextUserId:"},
		"session counter": {func(d *store.StateDocument) { d.Counters.NextAuthSessionID = 1 }, "counters.nextAuthSessionId:"},
		"payment counter": {func(d *store.StateDocument) { d.Counters.NextPaymentSessionID = d.PaymentSessions[0].ID }, "counters.nextPaymentSessionId:"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, err := store.DecodeStateDocument(good)
			require.NoError(t, err)
			tc.edit(&doc)
			st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
			_, err = st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 1))
			require.NoError(t, err)
			before := exportJSON(t, st)

			err = st.Import(ctx, doc)
			var e *store.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, store.CodeInvalid, e.Code)
			assert.True(t, strings.HasPrefix(e.Message, tc.wantField), "message %q should name %s", e.Message, tc.wantField)
			assert.Equal(t, before, exportJSON(t, st), "a rejected document changes nothing")
		})
	}
}

func withID(a store.AuthSessionRecord, id int) store.AuthSessionRecord {
	a.ID = id
	return a
}

func TestDecodeStateDocumentIsStrict(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"unknown field": `{"format":"oneentry-mock-state","version":1,"sandbox":"x"}`,
		"trailing data": `{"format":"oneentry-mock-state","version":1} {}`,
		"not JSON":      `format: yaml`,
		"wrong type":    `{"format":"oneentry-mock-state","version":"1"}`,
		"invalid UTF-8": `{"format":"oneentry-mock-state","version":1,"users":[{"identifier":"a` + "\xff" + `b"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := store.DecodeStateDocument([]byte(body))
			assert.Equal(t, store.CodeInvalid, codeOf(err), "%v", err)
		})
	}
}

// An export saved by an editor that starts UTF-8 files with a byte order mark (Notepad,
// PowerShell 5.1) imports as the export itself does; the caller's bytes are left as they were.
func TestStateDocumentWithAByteOrderMarkDecodes(t *testing.T) {
	t.Parallel()
	_, src := busyStore(t)
	data, err := json.Marshal(src.Export(context.Background()))
	require.NoError(t, err)
	want, err := store.DecodeStateDocument(data)
	require.NoError(t, err)
	withBOM := append([]byte("\ufeff"), data...)
	got, err := store.DecodeStateDocument(withBOM)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, "\ufeff", string(withBOM[:3]), "the caller's bytes")

	_, err = store.DecodeStateDocument([]byte("\ufeff\ufeff{}"))
	assert.Equal(t, store.CodeInvalid, codeOf(err), "only one mark, at the start, is skipped: %v", err)
}

// The checkout token is the checkout page's credential: it travels with the state, and a
// document written before tokens existed still imports (its sessions have no page).
func TestCheckoutTokenTravelsWithTheState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx, src := busyStore(t)
	doc := src.Export(ctx)
	token := doc.PaymentSessions[0].CheckoutToken
	require.True(t, store.ValidCheckoutToken(token), token)
	assert.NotEqual(t, token, doc.PaymentSessions[1].CheckoutToken)
	assert.Empty(t, doc.PaymentSessions[2].CheckoutToken, "a cash session has no checkout page")
	assert.Equal(t, "http://mock/checkout/"+token, *doc.PaymentSessions[0].PaymentURL)

	data, err := json.Marshal(doc)
	require.NoError(t, err)
	decoded, err := store.DecodeStateDocument(data)
	require.NoError(t, err)
	dst := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	require.NoError(t, dst.Import(ctx, decoded))
	p, _, err := dst.PaymentSessionByCheckoutToken(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, doc.PaymentSessions[0].ID, p.ID)

	old := strings.ReplaceAll(string(data), `,"checkoutToken":"`+token+`"`, "")
	old = strings.ReplaceAll(old, `,"checkoutToken":"`+doc.PaymentSessions[1].CheckoutToken+`"`, "")
	require.NotContains(t, old, "checkoutToken")
	decoded, err = store.DecodeStateDocument([]byte(old))
	require.NoError(t, err, "a version 1 document without checkout tokens still decodes")
	require.NoError(t, dst.Import(ctx, decoded))
	_, _, err = dst.PaymentSessionByCheckoutToken(ctx, token)
	assert.Error(t, err, "the imported sessions have no checkout page")
	_, _, err = dst.PaymentSessionByCheckoutToken(ctx, "")
	assert.Error(t, err)
}

// discountsOf is the recorded pricing of order i, made when the document has none.
func discountsOf(d *store.StateDocument, i int) *store.OrderDiscounts {
	if d.Orders[i].Discounts == nil {
		d.Orders[i].Discounts = &store.OrderDiscounts{RawCents: d.Orders[i].TotalCents}
	}
	return d.Orders[i].Discounts
}

// Collection rows load with the language keys earlier versions took ("en"); a key that is no
// language tag at all is refused.
func TestStateImportTakesTheRowLanguagesOfEarlierVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	row, err := st.CreateCollectionRow(ctx, "faq", "en_US", store.RowInput{FormIdentifier: "faq", Fields: []store.RowField{{Marker: "question", Type: "string", Value: "Q?"}}})
	require.NoError(t, err)
	doc := st.Export(ctx)
	i := slices.IndexFunc(doc.CollectionRows, func(r store.CollectionRowRecord) bool { return r.ID == row.ID })
	require.GreaterOrEqual(t, i, 0)
	doc.CollectionRows[i].FormData["en"] = doc.CollectionRows[i].FormData["en_US"]
	require.NoError(t, st.Import(ctx, doc))
	assert.Equal(t, doc, st.Export(ctx))

	doc.CollectionRows[i].FormData[strings.Repeat("x", 40)] = nil
	err = st.Import(ctx, doc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("collectionRows[%d].formData", i))
}

// Whatever name an upload is stored under, the export imports back: the name is cleaned once,
// and cleaning it again changes nothing.
func TestUploadedNamesSurviveExportAndImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	folder := store.UploadFolder{Type: "page", Entity: "editor", ID: "3"}
	for _, name := range []string{strings.Repeat("a", 127) + ".txt", "a..b.txt", " .hidden. ", "снимок экрана.png"} {
		stored, err := st.Upload(ctx, folder, []store.FileInput{{Name: name, Data: []byte("x")}})
		require.NoError(t, err, name)
		require.Len(t, stored, 1)
	}
	doc := st.Export(ctx)
	// "null" is what JavaScript sends for a missing name, however it is dressed.
	for _, name := range []string{"null", "null.", "undefined.."} {
		_, err := st.Upload(ctx, folder, []store.FileInput{{Name: name, Data: []byte("x")}})
		assert.Equal(t, store.CodeInvalid, codeOf(err), name)
	}
	assert.Equal(t, doc, st.Export(ctx))
	require.NoError(t, st.Import(ctx, doc))
	assert.Equal(t, doc, st.Export(ctx))
}

// Paths of earlier versions load (dots ending a long name, "null" for "null."); paths that
// could leave their folder do not.
func TestStoredFilePathsAreCheckedBySegment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	file := func(p string) store.StoredFile {
		return store.StoredFile{Path: p, ContentType: "text/plain", Data: []byte("x"), Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	}
	for _, p := range []string{"files/project/page/editor/3/" + strings.Repeat("a", 127) + ".", "files/project/page/editor/3/null", "files/project/-/-/-/a..b"} {
		doc := st.Export(ctx)
		doc.Files = []store.StoredFile{file(p)}
		assert.NoError(t, st.Import(ctx, doc), p)
	}
	for _, p := range []string{"files/project/page/editor/3/..", "files/project/page/../3/a", "files/project/page/editor/3/a/b", "files/project/page/editor/a", "files/other/page/editor/3/a", "files/project/page/editor/3/a b", "files/project/page/editor/3/" + strings.Repeat("a", 129)} {
		doc := st.Export(ctx)
		doc.Files = []store.StoredFile{file(p)}
		err := st.Import(ctx, doc)
		require.Error(t, err, p)
		assert.Contains(t, err.Error(), "files[0].path", p)
	}
}

// A state document's subscriptions load as earlier versions wrote them (markers past 128
// bytes, locales of any shape); only what no subscription could be is refused.
func TestStateImportChecksSubscriptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	require.NoError(t, st.Subscribe(ctx, 16, "price_change", 10, "en_US"))
	doc := st.Export(ctx)
	doc.Subscriptions[0].EventMarker = strings.Repeat("m", 200)
	doc.Subscriptions[0].Locale = "en-US"
	require.NoError(t, st.Import(ctx, doc))
	assert.Equal(t, doc, st.Export(ctx))

	for name, c := range map[string]struct {
		edit  func(*store.Subscription)
		field string
	}{
		"marker empty": {func(s *store.Subscription) { s.EventMarker = "" }, "subscriptions[0].eventMarker"},
		"user unknown": {func(s *store.Subscription) { s.UserID = 999 }, "subscriptions[0].userId"},
	} {
		bad := st.Export(ctx)
		c.edit(&bad.Subscriptions[0])
		err := st.Import(ctx, bad)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), c.field, name)
	}
	assert.Equal(t, doc, st.Export(ctx), "nothing changed")
}

// A removal ends the account's subscriptions; a state saved before it did may still hold some
// of a removed account, which load and reach nobody.
func TestARemovedAccountHasNoSubscribers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	require.NoError(t, st.Subscribe(ctx, 16, "price_change", 10, "en_US"))
	require.NoError(t, st.Subscribe(ctx, 17, "price_change", 10, "en_US"))
	saved := st.Export(ctx)
	require.NoError(t, st.DeleteUser(ctx, 16))
	assert.Len(t, st.Export(ctx).Subscriptions, 1)

	for i := range saved.Users {
		if saved.Users[i].ID == 16 {
			saved.Users[i].Deleted = true
		}
	}
	require.NoError(t, st.Import(ctx, saved))
	require.Len(t, st.Export(ctx).Subscriptions, 2)
	subs := st.Subscribers("price_change", 10)
	require.Len(t, subs, 1)
	assert.Equal(t, 17, subs[0].UserID)
}

// withoutProducts is the default fixture set with the products of ids taken out of the
// catalogue, their details and the order form's product list, as a content edit would.
func withoutProducts(t *testing.T, ids ...int) *store.Fixtures {
	t.Helper()
	fsys := fixtures.Copy()
	gone := map[any]bool{}
	for _, id := range ids {
		gone[float64(id)] = true
		gone[fmt.Sprintf("p-8-%d", id)] = true
	}
	var drop func(v any) any
	drop = func(v any) any {
		switch v := v.(type) {
		case []any:
			v = slices.DeleteFunc(v, func(e any) bool { m, ok := e.(map[string]any); return ok && gone[m["id"]] })
			for i := range v {
				v[i] = drop(v[i])
			}
			return v
		case map[string]any:
			for k := range v {
				if ids, ok := v[k].([]any); ok && k == "relatedIds" {
					v[k] = slices.DeleteFunc(ids, func(id any) bool { return gone[id] })
				}
				v[k] = drop(v[k])
			}
		}
		return v
	}
	for _, name := range []string{store.FileProducts, "product-details.json", "forms.json"} {
		var v any
		require.NoError(t, json.Unmarshal(fsys[name].Data, &v))
		v = drop(v)
		data, err := json.Marshal(v)
		require.NoError(t, err)
		fsys[name] = &fstest.MapFile{Data: data}
	}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	for _, id := range ids {
		_, ok := fx.Product(id)
		require.False(t, ok)
	}
	return fx
}

// onFixturesWithout returns the stores that take up a saved state on the default fixtures
// without the products of ids: a restart on p's data, and an import of doc.
func onFixturesWithout(t *testing.T, p store.Persister, doc store.StateDocument, ids ...int) map[string]*store.Store {
	t.Helper()
	fx := withoutProducts(t, ids...)
	again, err := store.Open(context.Background(), store.Options{Fixtures: fx, Clock: frozenClock(), Persist: p})
	require.NoError(t, err, "a restart on the edited fixtures")
	other := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	require.NoError(t, other.Import(context.Background(), doc), "an import into a sandbox of the edited fixtures")
	return map[string]*store.Store{"restarted": again, "imported": other}
}

// An order or a cart that names a product the fixtures no longer have loads as it was kept:
// a restart after such an edit, and an import into a sandbox of the edited fixtures, keep it
// rather than refusing the whole saved state. The cart's line can still be removed.
func TestOrdersAndCartsOutliveTheirProducts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newMemPersister()
	st := openPersisted(t, p, frozenClock())
	in := plainOrder(t)
	in.Products = []store.OrderLine{{ProductID: 11, Quantity: 2}}
	o, err := st.CreateOrder(ctx, 16, "tickets", in)
	require.NoError(t, err)
	owner := store.CartOwner{UserID: 16}
	_, err = st.AddCartItem(ctx, owner, 12, 3)
	require.NoError(t, err)
	doc := st.Export(ctx)

	for name, s := range onFixturesWithout(t, p, doc, 11, 12) {
		got, err := s.Order(ctx, 16, "tickets", o.ID)
		require.NoError(t, err, name)
		assert.Equal(t, o.Products, got.Products, name)
		assert.Equal(t, o.TotalCents, got.TotalCents, name)
		cart, err := s.Cart(ctx, owner)
		require.NoError(t, err, name)
		assert.Equal(t, []store.CartItem{{ProductID: 12, Qty: 3}}, cart.Items, name)

		_, err = s.AddCartItem(ctx, owner, 12, 1)
		assert.Equal(t, store.CodeNotFound, codeOf(err), "%s: a product gone is not added to: %v", name, err)
		cart, err = s.RemoveCartItem(ctx, owner, 12)
		require.NoError(t, err, name)
		assert.Empty(t, cart.Items, name)
		_, err = s.RemoveCartItem(ctx, owner, 12)
		assert.Equal(t, store.CodeNotFound, codeOf(err), "%s: a product neither kept nor in the fixtures: %v", name, err)
	}
}

// A subscription to a product the fixtures no longer have is kept as orders are, and the user
// can still end it.
func TestSubscriptionsOutliveTheirProducts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newMemPersister()
	st := openPersisted(t, p, frozenClock())
	require.NoError(t, st.Subscribe(ctx, 16, "price_change", 11, "en_US"))
	doc := st.Export(ctx)

	for name, s := range onFixturesWithout(t, p, doc, 11, 12) {
		subs, n := s.Subscriptions(ctx, 16, store.Page{})
		require.Equal(t, 1, n, name)
		assert.Equal(t, 11, subs[0].ProductID, name)
		assert.Equal(t, store.CodeNotFound, codeOf(s.Subscribe(ctx, 16, "price_change", 11, "en_US")), "%s: a product gone takes no new subscription", name)
		require.NoError(t, s.Unsubscribe(ctx, 16, "price_change", 11), name)
		_, n = s.Subscriptions(ctx, 16, store.Page{})
		assert.Zero(t, n, name)
		assert.Equal(t, store.CodeNotFound, codeOf(s.Unsubscribe(ctx, 16, "price_change", 11)), "%s: a product neither kept nor in the fixtures", name)
	}
}

// Pricing stops below 2^46 currency units, where JavaScript numbers still hold every cent; it
// priced up to 2^53 cents before, so state saved then, up to that bound, still loads.
func TestStateSavedUnderTheEarlierCeilingStillLoads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx, src := busyStore(t)
	doc := src.Export(ctx)
	o := &doc.Orders[1]
	o.Products = o.Products[:1]
	o.Products[0].Quantity, o.Products[0].PriceCents, o.Products[0].DiscountPriceCents = 1, new(int64(store.MaxStoredCents)), nil
	o.TotalCents, o.Discounts = store.MaxStoredCents, nil
	require.Greater(t, o.TotalCents, int64(store.MaxOrderCents))
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	require.NoError(t, st.Import(ctx, doc))
}
