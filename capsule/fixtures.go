package capsule

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// The fixture files DeriveFixtures writes: the fixture set `serve --fixtures DIR` loads (the
// docs/fixtures.md describes each).
const (
	FixtureProject         = store.FileProject
	FixtureAuthProviders   = store.FileAuthProviders
	FixtureUsers           = store.FileUsers
	FixtureForms           = store.FileForms
	FixtureProducts        = store.FileProducts
	FixtureOrderStorages   = store.FileOrderStorages
	FixturePaymentAccounts = store.FilePaymentAccounts
	FixtureProductDetails  = store.FileProductDetails
)

// DefaultDerivedAppToken is the app token of a derived sandbox when the capsule recorded none.
const DefaultDerivedAppToken = "your-app-token"

// FixtureSet is a fixture set derived from a capsule: file name → JSON, and notes on what had to
// be guessed or left out.
type FixtureSet struct {
	Files map[string][]byte
	Notes []string
}

// WriteDir writes every file of the set into dir, creating it and the folders in it if needed.
// It writes all or nothing, as far as a file system lets it: every file is first written whole
// beside its destination under a temporary name, and only once all are written are they renamed
// into place. A failure before that (a destination that is a folder, a full disk) removes what
// was written and the folders made, leaving dir as it was. A rename that fails, which only a
// folder changed meanwhile makes happen, puts back the files already replaced from links kept
// to them; what cannot be put back is named in the error.
func (s *FixtureSet) WriteDir(dir string) (err error) {
	names := slices.Sorted(maps.Keys(s.Files))
	var written []stagedFile
	var made []string // folders created, outermost first
	defer func() {
		if err == nil {
			return
		}
		for _, f := range written {
			_ = os.Remove(f.tmp)
		}
		for _, d := range slices.Backward(made) {
			_ = os.Remove(d) // removes only a folder left empty
		}
	}()
	for _, name := range names {
		target := filepath.Join(dir, filepath.FromSlash(name))
		if info, err := os.Lstat(target); err == nil && info.IsDir() {
			return fmt.Errorf("%s is a folder, not a file that can be replaced", target)
		}
		if err := mkdirAll(filepath.Dir(target), &made); err != nil {
			return err
		}
		tmp, err := stageFile(target, s.Files[name])
		if err != nil {
			return err
		}
		written = append(written, stagedFile{tmp, target})
	}
	backups, err := keepOriginals(written)
	defer func() {
		for _, b := range backups {
			if b != "" {
				_ = os.Remove(b)
			}
		}
	}()
	if err != nil {
		return err
	}
	for i, f := range written {
		if err := rename(f.tmp, f.target); err != nil {
			var lost []string
			for j := i - 1; j >= 0; j-- {
				if restore(written[j].target, backups[j]) != nil {
					lost = append(lost, names[j])
				} else {
					backups[j] = ""
				}
			}
			if len(lost) > 0 {
				return fmt.Errorf("%w (replaced and not put back: %s)", err, strings.Join(lost, ", "))
			}
			return err
		}
	}
	return nil
}

// stagedFile is a file written under a temporary name beside its target.
type stagedFile struct{ tmp, target string }

// rename is os.Rename; a test makes it fail midway.
var rename = os.Rename

// keepOriginals links each staged file's current destination, when there is one, to a name
// beside it, so that a failure midway can put it back; "" for a destination that did not exist.
func keepOriginals(staged []stagedFile) ([]string, error) {
	backups := make([]string, len(staged))
	for i, f := range staged {
		target := f.target
		if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		name := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".bak-"+strconv.Itoa(os.Getpid()))
		_ = os.Remove(name)
		if err := os.Link(target, name); err != nil {
			return backups, fmt.Errorf("keeping %s until the new files are in place: %w", target, err)
		}
		backups[i] = name
	}
	return backups, nil
}

// restore puts the original of target back from backup, or removes target when it had none.
func restore(target, backup string) error {
	if backup == "" {
		return os.Remove(target)
	}
	return os.Rename(backup, target)
}

// mkdirAll makes dir and its missing parents, adding each folder it makes to made.
func mkdirAll(dir string, made *[]string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		_, err := os.Stat(d)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, d := range slices.Backward(missing) {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
		*made = append(*made, d)
	}
	return nil
}

// FS is the folder dir as it will be once the set is written into it: the set's files, and
// whatever else dir holds, read as serve reads a folder (store.FixtureFolder). Loading the
// fixtures from it is loading what `serve --fixtures dir` would load after WriteDir, before
// anything is written. Listing a folder shows only what dir holds; the fixture loader lists
// none. A dir that does not exist yet holds nothing.
func (s *FixtureSet) FS(dir string) fs.FS {
	files := fstest.MapFS{}
	for name, data := range s.Files {
		files[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	var base fs.FS = fstest.MapFS{}
	if folder, err := store.FixtureFolder(dir); err == nil {
		base = folder
	}
	return overlayFS{files: files, base: base}
}

// overlayFS serves files from files, and every other name from base, links included.
type overlayFS struct {
	files fstest.MapFS
	base  fs.FS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if _, ok := o.files[name]; ok {
		return o.files.Open(name)
	}
	return o.base.Open(name)
}

func (o overlayFS) ReadLink(name string) (string, error) {
	if _, ok := o.files[name]; ok {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return fs.ReadLink(o.base, name)
}

func (o overlayFS) Lstat(name string) (fs.FileInfo, error) {
	if _, ok := o.files[name]; ok {
		return fs.Stat(o.files, name)
	}
	return fs.Lstat(o.base, name)
}

// Fields the mock's fixture loader accepts, per object, less the mock's own settings; anything
// else a live answer carries is dropped (and named in the notes), since the loader refuses
// unknown fields. The store's fixture types are the one definition.
var (
	formFields           = store.APIFields(store.Form{})
	formAttributeFields  = store.APIFields(store.FormAttribute{})
	listTitleFields      = store.APIFields(store.ListTitle{})
	productFields        = store.APIFields(store.Product{})
	accountFields        = store.APIFields(store.PaymentAccount{})
	storageFields        = store.APIFields(store.OrderStorage{})
	orderStatusFields    = store.APIFields(store.OrderStatus{})
	authProviderFields   = store.APIFields(store.AuthProvider{})
	defaultOrderStatus   = "inProgress"
	defaultAccountUpdate = "2000-01-01T00:00:00.000Z"
)

var (
	reFormByMarker    = regexp.MustCompile(`^/api/content/forms/marker/([^/]+)$`)
	reFormData        = regexp.MustCompile(`^/api/content/form-data/marker/([^/]+)$`)
	reForms           = regexp.MustCompile(`^/api/content/forms/?$`)
	reProduct         = regexp.MustCompile(`^/api/content/products/(\d+)$`)
	reAccounts        = regexp.MustCompile(`^/api/content/payments/accounts/?$`)
	reAccount         = regexp.MustCompile(`^/api/content/payments/accounts/(\d+)$`)
	reStorages        = regexp.MustCompile(`^/api/content/orders-storage/?$`)
	reStorage         = regexp.MustCompile(`^/api/content/orders-storage/marker/([^/]+)$`)
	reOrderStatuses   = regexp.MustCompile(`^/api/content/orders-storage/marker/([^/]+)/order-statuses$`)
	reOrders          = regexp.MustCompile(`^/api/content/orders-storage/marker/([^/]+)/orders$`)
	reOrder           = regexp.MustCompile(`^/api/content/orders-storage/marker/([^/]+)/orders/(\d+)$`)
	reSessions        = regexp.MustCompile(`^/api/content/payments/sessions$`)
	reProviders       = regexp.MustCompile(`^/api/content/users-auth-providers/?$`)
	reProvider        = regexp.MustCompile(`^/api/content/users-auth-providers/marker/([^/]+)$`)
	reAuth            = regexp.MustCompile(`^/api/content/users-auth-providers/marker/([^/]+)/users/auth$`)
	reUsersMe         = regexp.MustCompile(`^/api/content/users/me$`)
	reProductEntityID = regexp.MustCompile(`^p-(\d+)-(\d+)$`)
)

// MaxDerivedValues is how many JSON values DeriveFixtures reads from a capsule's bodies in all.
// The deriver holds a parsed body while it reads it and keeps the objects it derives from, and
// a parsed value takes some fifty times the two bytes of a "0," in an array: a count, not a size
// in bytes, is what bounds its memory (a few hundred megabytes at most). Realistic answers run
// twenty to thirty bytes a value, so this is some forty megabytes of them.
const MaxDerivedValues = 2_000_000

// deriver accumulates what a capsule tells about the recorded project.
type deriver struct {
	lang       string
	notes      []string
	appToken   string
	maxValues  int // JSON values the deriver may parse in all
	valuesLeft int

	forms     map[string]*node // identifier → form
	readable  map[string]bool  // identifier → the project answered a read of its submissions
	products  map[int]*node
	related   map[int][]int    // product id → the ids its answer named in relatedIds
	accounts  map[string]*node // identifier → account
	storages  map[string]*node // identifier → storage (API fields only)
	statuses  map[string][]*node
	providers map[string]*node

	// Facts gathered from orders, sessions and logins, for what was not fetched directly.
	productHints map[int]*productHint
	storageHints map[string]*storageHint
	accountIDs   map[string]int // account identifier → id seen on a session
	orderAccount map[int]string // order id → account identifier
	firstOrder   int
	firstSession int
	logins       []login
	me           map[string]*node // lower(identifier) → users/me answer

	listed map[string]*listedItems // fixture file → its objects as the API listed them
}

// listedFixtures are the fixture files that hold objects exactly as the API serves them, so
// what a list (or a single read) answered is what the file keeps.
var listedFixtures = []struct {
	method string
	path   *regexp.Regexp
	file   string
}{
	{"GET", regexp.MustCompile(`^/api/content/pages/?$`), store.FilePages},
	{"POST", regexp.MustCompile(`^/api/content/blocks/?$`), store.FileBlocks},
	{"GET", regexp.MustCompile(`^/api/content/menus/marker/[^/]+$`), store.FileMenus},
	{"GET", regexp.MustCompile(`^/api/content/locales/active/all$`), store.FileLocales},
	{"GET", regexp.MustCompile(`^/api/content/attributes-sets/?$`), store.FileAttributeSets},
	{"GET", regexp.MustCompile(`^/api/content/general-types/?$`), store.FileGeneralTypes},
	{"GET", regexp.MustCompile(`^/api/content/templates/?$`), store.FileTemplates},
	{"GET", regexp.MustCompile(`^/api/content/template-previews/?$`), store.FileTemplatePreviews},
	{"POST", regexp.MustCompile(`^/api/content/admins/all$`), store.FileAdmins},
}

// listedItems keeps objects in the order first read, once each (by id, else identifier).
type listedItems struct {
	items []*node
	seen  map[string]bool
}

func (l *listedItems) add(n *node) {
	if n == nil || n.kind != kindObject {
		return
	}
	var key string
	if id, ok := n.get("id"); ok {
		key = string(id.marshal())
	}
	key += "\x00" + stringOf(n, "identifier")
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	l.items = append(l.items, n)
}

// readListed keeps the objects of an answer to a listedFixtures read: a list, {items, total},
// or one object.
func (d *deriver) readListed(method, path string, body *node) bool {
	for _, lf := range listedFixtures {
		if lf.method != method || !lf.path.MatchString(path) {
			continue
		}
		l := d.listed[lf.file]
		if l == nil {
			l = &listedItems{seen: map[string]bool{}}
			d.listed[lf.file] = l
		}
		switch items, ok := body.get("items"); {
		case body.kind == kindArray:
			eachItem(body, l.add)
		case ok:
			eachItem(items, l.add)
		default:
			l.add(body)
		}
		return true
	}
	return false
}

type productHint struct {
	title  string
	pageID int
	price  *float64
}

type storageHint struct {
	form       string
	accounts   []string
	currency   string
	attrSet    string
	id         int
	statusSeen []string
}

type login struct {
	provider, identifier, password, loginMarker, passwordMarker string
}

// DeriveFixtures turns the successful answers recorded in c into a fixture set that makes
// `serve --fixtures DIR` a sandbox of the recorded project: forms and products as recorded, payment
// accounts, order storages, auth providers and users (with placeholder passwords) recorded or
// reconstructed from the orders, sessions and logins that used them. Notes say what was guessed.
func DeriveFixtures(c *Capsule) (*FixtureSet, error) {
	return deriveFixtures(c, MaxDerivedValues)
}

// deriveFixtures is DeriveFixtures reading at most maxValues JSON values.
func deriveFixtures(c *Capsule, maxValues int) (*FixtureSet, error) {
	if len(c.Exchanges) == 0 {
		return nil, ErrNoExchanges
	}
	d := &deriver{
		forms: map[string]*node{}, readable: map[string]bool{}, products: map[int]*node{}, related: map[int][]int{}, accounts: map[string]*node{},
		storages: map[string]*node{}, statuses: map[string][]*node{}, providers: map[string]*node{},
		productHints: map[int]*productHint{}, storageHints: map[string]*storageHint{},
		accountIDs: map[string]int{}, orderAccount: map[int]string{}, me: map[string]*node{},
		listed: map[string]*listedItems{}, maxValues: maxValues, valuesLeft: maxValues,
	}
	d.lang = language(c)
	for i := range c.Exchanges {
		if err := d.read(i, &c.Exchanges[i]); err != nil {
			return nil, err
		}
	}
	return d.build()
}

// language is the langCode the recording used: the first langCode query value, else the key of
// a locale-keyed formData in a request, else en_US.
func language(c *Capsule) string {
	for _, e := range c.Exchanges {
		if v := parseQuery(e.Query, nil).Get("langCode"); v != "" {
			return v
		}
	}
	for _, e := range c.Exchanges {
		// Decoded into a struct, the rest of the body is only checked, not built.
		var req struct {
			FormData map[string]json.RawMessage `json:"formData"`
		}
		if json.Unmarshal(e.RequestBody, &req) == nil && len(req.FormData) == 1 {
			for lang := range req.FormData {
				return lang
			}
		}
	}
	return "en_US"
}

func (d *deriver) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, n := range d.notes {
		if n == msg {
			return
		}
	}
	d.notes = append(d.notes, msg)
}

// unwrap returns the value of the recording's language key when n is a locale-keyed map, the
// way the SDK unwraps answers.
func (d *deriver) unwrap(n *node) *node {
	if v, ok := n.get(d.lang); ok && n.kind == kindObject {
		return v
	}
	return n
}

// parse parses one of exchange i's bodies (nil when it is not JSON), charging its values to
// what the deriver may still read.
func (d *deriver) parse(i int, e *Exchange, which string, data []byte) (*node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	n, values, err := parseJSONWithin(data, d.valuesLeft)
	if errors.Is(err, errTooManyValues) {
		return nil, fmt.Errorf("exchanges[%d] (%s %s): the %s body takes the capsule past %d JSON values, the most fixtures are derived from; derive from a capsule of fewer or smaller answers",
			i, e.Method, e.Path, which, d.maxValues)
	}
	if err != nil {
		return nil, nil
	}
	d.valuesLeft -= values
	return n, nil
}

func (d *deriver) read(i int, e *Exchange) error {
	if d.appToken == "" {
		d.appToken = e.RequestHeaders["x-app-token"]
	}
	if e.Status < 200 || e.Status > 299 {
		return nil
	}
	path := squeezeSlashes(e.Path)
	body, err := d.parse(i, e, "response", e.ResponseBody)
	if err != nil {
		return err
	}
	// The request body is parsed only for the two answers that need it.
	request := func() (*node, error) { return d.parse(i, e, "request", e.RequestBody) }
	method := strings.ToUpper(e.Method)
	if body == nil || d.readListed(method, path, body) {
		return nil
	}
	switch {
	case method == "GET" && reFormByMarker.MatchString(path):
		d.addForm(body)
	case (method == "POST" || method == "GET") && reFormData.MatchString(path): // GET: SDK 1.0.115
		d.readable[pathParam(reFormData, path, 1)] = true
	case method == "GET" && reForms.MatchString(path):
		items := body
		if it, ok := body.get("items"); ok {
			items = it
		}
		eachItem(items, d.addForm)
	case method == "GET" && reProduct.MatchString(path):
		if id, ok := intOf(body, "id"); ok {
			// relatedIds is not a field of products.json but of product-details.json.
			if rel, ok := body.get("relatedIds"); ok {
				d.related[id] = intItems(rel)
				body = without(body, "relatedIds")
			}
			d.products[id] = d.filter(FixtureProducts, body, productFields)
		}
	case method == "GET" && reAccounts.MatchString(path):
		eachItem(body, d.addAccount)
	case method == "GET" && reAccount.MatchString(path):
		d.addAccount(body)
	case method == "GET" && reStorages.MatchString(path):
		eachItem(body, d.addStorage)
	case method == "GET" && reOrderStatuses.MatchString(path):
		marker := pathParam(reOrderStatuses, path, 1)
		var list []*node
		for _, s := range arrayItems(body) {
			list = append(list, d.filter("order-storages.json statuses", s, orderStatusFields))
		}
		d.statuses[marker] = list
	case method == "GET" && reStorage.MatchString(path):
		d.addStorage(body)
	case method == "POST" && reOrders.MatchString(path):
		req, err := request()
		if err != nil {
			return err
		}
		d.readOrderCreate(pathParam(reOrders, path, 1), req, body)
	case method == "GET" && reOrders.MatchString(path):
		marker := pathParam(reOrders, path, 1)
		if items, ok := body.get("items"); ok {
			for _, o := range arrayItems(items) {
				d.readOrderRead(marker, o)
			}
		}
	case (method == "GET" || method == "PUT") && reOrder.MatchString(path):
		d.readOrderRead(pathParam(reOrder, path, 1), body)
	case method == "POST" && reSessions.MatchString(path):
		d.readSession(body)
		if id, ok := intOf(body, "id"); ok && (d.firstSession == 0 || id < d.firstSession) {
			d.firstSession = id
		}
	case method == "GET" && strings.HasPrefix(path, "/api/content/payments/sessions"):
		eachItem(body, d.readSession)
		if items, ok := body.get("items"); ok {
			eachItem(items, d.readSession)
		}
		if body.kind == kindObject {
			d.readSession(body)
		}
	case method == "GET" && reProviders.MatchString(path):
		eachItem(body, d.addProvider)
	case method == "GET" && reProvider.MatchString(path):
		d.addProvider(body)
	case method == "POST" && reAuth.MatchString(path):
		req, err := request()
		if err != nil {
			return err
		}
		d.readLogin(pathParam(reAuth, path, 1), req, body)
	case method == "GET" && reUsersMe.MatchString(path):
		if id, ok := body.get("identifier"); ok && id.kind == kindString {
			d.me[strings.ToLower(id.str)] = body
		}
	}
	return nil
}

func pathParam(re *regexp.Regexp, path string, i int) string {
	m := re.FindStringSubmatch(path)
	if len(m) <= i {
		return ""
	}
	return m[i]
}

// unionKeys returns the keys of a and b, sorted, each once.
func unionKeys[K cmp.Ordered, A, B any](a map[K]A, b map[K]B) []K {
	set := map[K]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// eachItem calls f on every element of n when n is an array.
func eachItem(n *node, f func(*node)) {
	for _, it := range arrayItems(n) {
		f(it)
	}
}

func arrayItems(n *node) []*node {
	if n == nil || n.kind != kindArray {
		return nil
	}
	return n.items
}

func intOf(n *node, key string) (int, bool) {
	v, ok := n.get(key)
	if !ok || v.kind != kindNumber {
		return 0, false
	}
	i, err := strconv.Atoi(v.str)
	return i, err == nil
}

func stringOf(n *node, key string) string {
	v, ok := n.get(key)
	if !ok || v.kind != kindString {
		return ""
	}
	return v.str
}

func floatOf(n *node, key string) (*float64, bool) {
	v, ok := n.get(key)
	if !ok {
		return nil, false
	}
	switch v.kind {
	case kindNumber, kindString:
		f, err := strconv.ParseFloat(v.str, 64)
		return &f, err == nil
	}
	return nil, false
}

// filter keeps the listed keys of an object, in the recorded order, and notes the others.
func (d *deriver) filter(where string, n *node, keep []string) *node {
	if n.kind != kindObject {
		return n
	}
	allowed := map[string]bool{}
	for _, k := range keep {
		allowed[k] = true
	}
	out := &node{kind: kindObject}
	for i, k := range n.keys {
		if !allowed[k] {
			d.note("%s: field %q is not part of the fixture format and was left out", where, k)
			continue
		}
		out.keys = append(out.keys, k)
		out.vals = append(out.vals, n.vals[i])
	}
	return out
}

func (d *deriver) addForm(f *node) {
	id := stringOf(f, "identifier")
	if id == "" {
		return
	}
	form := d.filter(FixtureForms, f, formFields)
	if attrs, ok := form.get("attributes"); ok {
		for i, a := range attrs.items {
			attr := d.filter("forms.json attributes", a, formAttributeFields)
			if lts, ok := attr.get("listTitles"); ok {
				for j, lt := range lts.items {
					lts.items[j] = d.filter("forms.json listTitles", lt, listTitleFields)
					d.hintFromListTitle(lts.items[j])
				}
			}
			attrs.items[i] = attr
		}
	}
	d.forms[id] = form
}

// markReadableForms gives each form whose submissions the recording read the fixtures'
// "isPrivate": false, so the derived sandbox answers that read as the project did; a form the
// recording shows no such read of stays private, as a fixture form is unless it says otherwise.
func (d *deriver) markReadableForms() {
	for marker := range d.readable {
		form, ok := d.forms[marker]
		if !ok {
			continue
		}
		form = without(form, "isPrivate")
		form.keys = append(form.keys, "isPrivate")
		form.vals = append(form.vals, val(false))
		d.forms[marker] = form
	}
}

// hintFromListTitle remembers the title and catalogue page of a product an entity field offers.
func (d *deriver) hintFromListTitle(lt *node) {
	m := reProductEntityID.FindStringSubmatch(stringOf(lt, "id"))
	if m == nil {
		return
	}
	page, _ := strconv.Atoi(m[1])
	id, _ := strconv.Atoi(m[2])
	h := d.productHint(id)
	if h.title == "" {
		h.title = stringOf(lt, "title")
	}
	if h.pageID == 0 {
		h.pageID = page
	}
}

func (d *deriver) productHint(id int) *productHint { return hintFor(d.productHints, id) }

func (d *deriver) storageHint(marker string) *storageHint { return hintFor(d.storageHints, marker) }

// hintFor returns the hint kept in m under k, adding an empty one the first time.
func hintFor[K comparable, H any](m map[K]*H, k K) *H {
	h, ok := m[k]
	if !ok {
		h = new(H)
		m[k] = h
	}
	return h
}

func (d *deriver) addAccount(a *node) {
	d.addByIdentifier(d.accounts, FixturePaymentAccounts, a, accountFields)
}

func (d *deriver) addStorage(s *node) {
	d.addByIdentifier(d.storages, FixtureOrderStorages, s, storageFields)
}

func (d *deriver) addProvider(p *node) {
	d.addByIdentifier(d.providers, FixtureAuthProviders, p, authProviderFields)
}

// addByIdentifier keeps n, cut down to the fields of file, in m under its identifier; n
// without one is passed over.
func (d *deriver) addByIdentifier(m map[string]*node, file string, n *node, fields []string) {
	if id := stringOf(n, "identifier"); id != "" {
		m[id] = d.filter(file, n, fields)
	}
}

func (d *deriver) readOrderCreate(marker string, req, resp *node) {
	h := d.storageHint(marker)
	if req != nil {
		if f := stringOf(req, "formIdentifier"); f != "" && h.form == "" {
			h.form = f
		}
		if a := stringOf(req, "paymentAccountIdentifier"); a != "" {
			h.accounts = appendUnique(h.accounts, a)
		}
	}
	if c := stringOf(resp, "currency"); c != "" {
		h.currency = c
	}
	id, ok := intOf(resp, "id")
	if ok {
		if d.firstOrder == 0 || id < d.firstOrder {
			d.firstOrder = id
		}
		if a := stringOf(resp, "paymentAccountIdentifier"); a != "" {
			d.orderAccount[id] = a
			h.accounts = appendUnique(h.accounts, a)
		}
	}
	// One product line: its unit price is the total over the quantity.
	if lines, ok := resp.get("products"); ok && len(lines.items) == 1 {
		pid, okID := intOf(lines.items[0], "productId")
		qty, okQty := intOf(lines.items[0], "quantity")
		total, okTotal := floatOf(resp, "totalSum")
		if okID && okQty && okTotal && qty > 0 {
			if ph := d.productHint(pid); ph.price == nil {
				p := math.Round(*total/float64(qty)*100) / 100
				ph.price = &p
			}
		}
	} else if ok {
		for _, l := range lines.items {
			if pid, ok := intOf(l, "productId"); ok {
				d.productHint(pid)
			}
		}
	}
}

func (d *deriver) readOrderRead(marker string, o *node) {
	h := d.storageHint(marker)
	if id, ok := intOf(o, "storageId"); ok {
		h.id = id
	}
	if s := stringOf(o, "attributeSetIdentifier"); s != "" {
		h.attrSet = s
	}
	if s := stringOf(o, "statusIdentifier"); s != "" {
		h.statusSeen = appendUnique(h.statusSeen, s)
	}
	if f := stringOf(o, "formIdentifier"); f != "" && h.form == "" {
		h.form = f
	}
	if a := stringOf(o, "paymentAccountIdentifier"); a != "" {
		h.accounts = appendUnique(h.accounts, a)
		if id, ok := intOf(o, "id"); ok {
			d.orderAccount[id] = a
		}
	}
	if c := stringOf(o, "currency"); c != "" && h.currency == "" {
		h.currency = c
	}
	if lines, ok := o.get("products"); ok {
		for _, l := range lines.items {
			pid, ok := intOf(l, "id")
			if !ok {
				continue
			}
			ph := d.productHint(pid)
			if t := stringOf(l, "title"); t != "" {
				ph.title = t
			}
			if p, ok := floatOf(l, "price"); ok {
				ph.price = p
			}
		}
	}
}

func (d *deriver) readSession(s *node) {
	order, okOrder := intOf(s, "orderId")
	account, okAccount := intOf(s, "paymentAccountId")
	if !okOrder || !okAccount {
		return
	}
	if ident, ok := d.orderAccount[order]; ok {
		if _, seen := d.accountIDs[ident]; !seen {
			d.accountIDs[ident] = account
		}
	}
}

func (d *deriver) readLogin(provider string, req, resp *node) {
	if req == nil {
		return
	}
	l := login{provider: provider}
	authData, _ := req.get("authData")
	for _, item := range arrayItems(authData) {
		marker, value := stringOf(item, "marker"), stringOf(item, "value")
		if marker == "" {
			continue
		}
		if value == PasswordPlaceholder || markerKind(marker) == KindPassword {
			if l.passwordMarker == "" {
				l.passwordMarker, l.password = marker, value
			}
		} else if l.loginMarker == "" {
			l.loginMarker, l.identifier = marker, value
		}
	}
	if id := stringOf(resp, "userIdentifier"); id != "" {
		l.identifier = id
	}
	if l.identifier == "" || l.password == "" {
		return
	}
	d.logins = append(d.logins, l)
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// --- building ----------------------------------------------------------------------------------

func (d *deriver) build() (*FixtureSet, error) {
	if len(d.forms) == 0 && len(d.storageHints) == 0 && len(d.logins) == 0 {
		return nil, errors.New("the capsule holds no successful answer to derive fixtures from (forms, orders or logins)")
	}
	set := &FixtureSet{Files: map[string][]byte{}}
	accounts := d.buildAccounts()
	storages := d.buildStorages()
	providers := d.buildProviders()
	d.markReadableForms()
	files := map[string]*node{
		FixtureProject:         d.buildProject(),
		FixtureForms:           sortedByKey(d.forms),
		FixtureProducts:        d.buildProducts(),
		FixturePaymentAccounts: accounts,
		FixtureOrderStorages:   storages,
		FixtureAuthProviders:   providers,
		FixtureUsers:           d.buildUsers(),
	}
	if details := d.buildProductDetails(); details != nil {
		files[FixtureProductDetails] = details
	}
	for file, l := range d.listed {
		files[file] = arr(l.items...)
	}
	d.dropUnrecordedReferences(files)
	nameConfigModules(files[FixtureForms], files[store.FilePages])
	if menus, ok := files[store.FileMenus]; ok {
		d.dropLinksToUnrecordedPages(menus, files[store.FilePages])
	}
	for name, n := range files {
		var b bytes.Buffer
		if err := json.Indent(&b, n.marshal(), "", "  "); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		b.WriteByte('\n')
		set.Files[name] = b.Bytes()
	}
	set.Notes = d.notes
	return set, nil
}

// nameConfigModules gives a form's module config without a moduleIdentifier the one the read
// of a page it binds shows for it: a form's read names the module by id only, so without this
// a pulled config would lose what the page and product reads show of it.
func nameConfigModules(forms, pages *node) {
	modules := map[int]string{}
	if pages != nil {
		for _, p := range pages.items {
			configs, _ := p.get("moduleFormConfigs")
			for _, c := range arrayItems(configs) {
				if id, ok := intOf(c, "id"); ok && stringOf(c, "moduleIdentifier") != "" {
					modules[id] = stringOf(c, "moduleIdentifier")
				}
			}
		}
	}
	for _, f := range forms.items {
		configs, _ := f.get("moduleFormConfigs")
		for _, c := range arrayItems(configs) {
			id, _ := intOf(c, "id")
			if m := modules[id]; m != "" && stringOf(c, "moduleIdentifier") == "" {
				if i := slices.Index(c.keys, "moduleIdentifier"); i >= 0 {
					c.vals[i] = val(m)
				} else {
					c.keys = append(c.keys, "moduleIdentifier")
					c.vals = append(c.vals, val(m))
				}
			}
		}
	}
}

// recordedReference is a field of a recorded object that names an object of another fixture
// file (or of its own) by one of that object's fields.
type recordedReference struct {
	file  string
	field []string // the path to the field: a value, or a list of values
	names string   // the fixture file named
	by    string   // the field of its objects the value matches
	// whenListed checks the reference only when the capsule listed the file named, as the
	// loader does (a product's): without the file, the recorded name stays.
	whenListed bool
}

// fixtureReads are the reads whose answers make the fixture files references name, for the
// notes to tell what to record.
var fixtureReads = map[string]string{
	store.FilePages: "GET /api/content/pages", store.FileBlocks: "POST /api/content/blocks",
	store.FileTemplates: "GET /api/content/templates", store.FileAttributeSets: "GET /api/content/attributes-sets",
	store.FileForms: "GET /api/content/forms, or the form by its marker",
}

// recordedReferences are the references the fixtures check on loading (store.Fixtures), as
// the recorded answers carry them.
var recordedReferences = []recordedReference{
	{store.FileUsers, []string{"formIdentifier"}, store.FileForms, "identifier", false},
	{store.FilePages, []string{"parentId"}, store.FilePages, "id", false},
	{store.FilePages, []string{"templateIdentifier"}, store.FileTemplates, "identifier", false},
	{store.FilePages, []string{"attributeSetIdentifier"}, store.FileAttributeSets, "identifier", false},
	{store.FilePages, []string{"blocks"}, store.FileBlocks, "identifier", false},
	{store.FileBlocks, []string{"templateIdentifier"}, store.FileTemplates, "identifier", false},
	{store.FileBlocks, []string{"attributesSetIdentifier"}, store.FileAttributeSets, "identifier", false},
	{store.FileBlocks, []string{"productPageUrls"}, store.FilePages, "pageUrl", false},
	{store.FileBlocks, []string{"customSettings", "similarScope", "pageIds"}, store.FilePages, "id", false},
	{store.FileProducts, []string{"templateIdentifier"}, store.FileTemplates, "identifier", true},
	{store.FileProducts, []string{"shortDescTemplateIdentifier"}, store.FileTemplates, "identifier", true},
	{store.FileProducts, []string{"attributeSetIdentifier"}, store.FileAttributeSets, "identifier", true},
	{store.FileProducts, []string{"blocks"}, store.FileBlocks, "identifier", true},
}

// dropUnrecordedReferences empties the references of recorded objects to objects the capsule
// holds no answer of (a page's template, when the recording never listed the templates): the
// fixtures must name only what they have. A single reference becomes null, a list loses the
// names; the notes count them.
func (d *deriver) dropUnrecordedReferences(files map[string]*node) {
	for _, ref := range recordedReferences {
		from := files[ref.file]
		if from == nil || ref.whenListed && files[ref.names] == nil {
			continue
		}
		known := map[string]bool{}
		if to := files[ref.names]; to != nil {
			for _, n := range to.items {
				if v, ok := n.get(ref.by); ok {
					known[referenceKey(v)] = true
				}
			}
		}
		unknown := func(v *node) bool { key := referenceKey(v); return key != "" && !known[key] }
		dropped := 0
		for _, n := range from.items {
			parent, last := n, len(ref.field)-1
			for _, step := range ref.field[:last] {
				parent, _ = parent.get(step)
			}
			v, ok := parent.get(ref.field[last])
			if !ok {
				continue
			}
			switch v.kind {
			case kindString, kindNumber:
				if unknown(v) {
					*v = node{kind: kindNull}
					dropped++
				}
			case kindArray:
				kept := v.items[:0]
				for _, item := range v.items {
					if unknown(item) {
						dropped++
					} else {
						kept = append(kept, item)
					}
				}
				v.items = kept
			}
		}
		if dropped > 0 {
			d.note("%s, field %s: %d left out, naming objects of %s the capsule has no answer of (record %s)",
				ref.file, strings.Join(ref.field, "."), dropped, ref.names, fixtureReads[ref.names])
		}
	}
}

// referenceKey is how a reference's value compares with the field it names: the text of a
// string or a number; "" for any other value, which names nothing and is left as it is.
func referenceKey(v *node) string {
	switch v.kind {
	case kindString:
		return "s" + v.str
	case kindNumber:
		return "n" + v.str
	}
	return ""
}

// dropLinksToUnrecordedPages removes from the recorded menus their links to pages the capsule
// holds no answer of: the fixtures must name only pages they have (a menu answer carries the
// pages' URLs and titles, not the pages).
func (d *deriver) dropLinksToUnrecordedPages(menus, pages *node) {
	known := map[string]bool{}
	if pages != nil {
		for _, p := range pages.items {
			known[stringOf(p, "pageUrl")] = true
		}
	}
	dropped := 0
	var keepKnown func(links *node)
	keepKnown = func(links *node) {
		if links == nil || links.kind != kindArray {
			return
		}
		kept := links.items[:0]
		for _, link := range links.items {
			url, hasURL := link.get("pageUrl")
			isPage := stringOf(link, "itemType") == "" || stringOf(link, "itemType") == "page"
			if hasURL && url.kind == kindString && isPage && !known[url.str] {
				dropped++
				continue
			}
			children, _ := link.get("children")
			keepKnown(children)
			kept = append(kept, link)
		}
		links.items = kept
	}
	for _, menu := range menus.items {
		links, _ := menu.get("pages")
		keepKnown(links)
	}
	if dropped > 0 {
		d.note("%d menu links name pages the capsule has no answer of (GET /api/content/pages): they are left out of %s", dropped, store.FileMenus)
	}
}

// sortedByKey lists the objects of m as the API lists them: by position where they have one
// (forms, storages), then by id, then by key.
func sortedByKey(m map[string]*node) *node {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		pi, iok := intOf(m[keys[i]], "position")
		pj, jok := intOf(m[keys[j]], "position")
		if iok && jok && pi != pj {
			return pi < pj
		}
		a, _ := intOf(m[keys[i]], "id")
		b, _ := intOf(m[keys[j]], "id")
		if a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	out := &node{kind: kindArray, items: []*node{}}
	for _, k := range keys {
		out.items = append(out.items, m[k])
	}
	return out
}

// obj builds an object node from key/value pairs; values are *node or Go scalars.
func obj(kv ...any) *node {
	n := &node{kind: kindObject}
	for i := 0; i+1 < len(kv); i += 2 {
		n.keys = append(n.keys, kv[i].(string))
		n.vals = append(n.vals, val(kv[i+1]))
	}
	return n
}

func arr(items ...*node) *node { return &node{kind: kindArray, items: append([]*node{}, items...)} }

func val(v any) *node {
	switch t := v.(type) {
	case *node:
		if t == nil {
			return &node{kind: kindNull}
		}
		return t
	case nil:
		return &node{kind: kindNull}
	case string:
		return &node{kind: kindString, str: t}
	case bool:
		return &node{kind: kindBool, b: t}
	case int:
		return &node{kind: kindNumber, str: strconv.Itoa(t)}
	case *float64:
		if t == nil {
			return &node{kind: kindNull}
		}
		return &node{kind: kindNumber, str: strconv.FormatFloat(*t, 'f', -1, 64)}
	case *string:
		if t == nil {
			return &node{kind: kindNull}
		}
		return &node{kind: kindString, str: *t}
	}
	panic(fmt.Sprintf("capsule: no JSON node for %T", v))
}

// buildProject writes no tokenSecret: a key in the fixtures would let anyone who reads them mint
// user tokens for the sandbox, which without one signs with a random secret of its own (kept in
// its data dir, so tokens survive a restart).
func (d *deriver) buildProject() *node {
	token := d.appToken
	if token == "" {
		token = DefaultDerivedAppToken
		d.note("project.json: the capsule recorded no x-app-token; the sandbox uses %q", token)
	}
	first := func(n int) int {
		if n <= 0 {
			return 1
		}
		return n
	}
	return obj(
		"appToken", token,
		"timeZone", "UTC",
		"defaultLanguage", d.lang,
		"firstOrderId", first(d.firstOrder),
		"firstPaymentSessionId", first(d.firstSession),
	)
}

// buildProductDetails lists the related products each fetched product named, as far as they
// are products of the set too; nil when no answer named any.
func (d *deriver) buildProductDetails() *node {
	if len(d.related) == 0 {
		return nil
	}
	ids := make([]int, 0, len(d.related))
	for id := range d.related {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := arr()
	for _, id := range ids {
		rel := arr()
		for _, r := range d.related[id] {
			if _, known := d.products[r]; known && r != id {
				rel.items = append(rel.items, &node{kind: kindNumber, str: strconv.Itoa(r)})
			} else {
				d.note("%s: product %d names related product %d, which was not fetched; left out", FixtureProductDetails, id, r)
			}
		}
		out.items = append(out.items, obj("id", id, "relatedIds", rel))
	}
	return out
}

// intItems is the whole numbers of an array node.
func intItems(n *node) []int {
	var out []int
	for _, it := range arrayItems(n) {
		if it.kind == kindNumber {
			if v, err := strconv.Atoi(it.str); err == nil {
				out = append(out, v)
			}
		}
	}
	return out
}

// without is an object node less one key.
func without(n *node, key string) *node {
	out := &node{kind: n.kind, items: n.items}
	for i, k := range n.keys {
		if k != key {
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, n.vals[i])
		}
	}
	return out
}

func (d *deriver) buildProducts() *node {
	out := arr()
	for pos, id := range unionKeys(d.products, d.productHints) {
		if p, ok := d.products[id]; ok {
			out.items = append(out.items, p)
			continue
		}
		h := d.productHints[id]
		title := h.title
		if title == "" {
			title = fmt.Sprintf("Product %d", id)
		}
		if h.price == nil {
			d.note("products.json: product %d was never fetched and no order shows its price; its price is null", id)
		} else {
			d.note("products.json: product %d was never fetched; it is rebuilt from the forms and orders that name it", id)
		}
		pages := arr()
		if h.pageID > 0 {
			pages.items = append(pages.items, obj("id", id, "pageId", h.pageID, "productId", id, "positionId", pos+1, "categoryPath", ""))
		}
		min, max := h.price, h.price
		zero := 0.0
		if min == nil {
			min, max = &zero, &zero
		}
		out.items = append(out.items, obj(
			"id", id,
			"localizeInfos", obj("title", title),
			"statusIdentifier", nil,
			"statusLocalizeInfos", obj(),
			"attributeSetIdentifier", nil,
			"position", pos+1,
			"templateIdentifier", nil,
			"shortDescTemplateIdentifier", nil,
			"price", h.price,
			"additional", obj("prices", obj("min", min, "max", max)),
			"sku", nil,
			"isSync", true,
			"isVisible", true,
			"categories", arr(),
			"attributeValues", obj(),
			"productPages", pages,
			"blocks", arr(),
			"moduleFormConfigs", arr(),
			"rating", obj(),
			"paymentStages", nil,
		))
	}
	return out
}

// buildAccounts lists the fetched accounts, and rebuilds every other account an order or a
// fetched storage names: the fixture loader refuses a storage that names an account it lacks.
func (d *deriver) buildAccounts() *node {
	for _, m := range slices.Sorted(maps.Keys(d.storageHints)) {
		for _, ident := range d.storageHints[m].accounts {
			d.rebuildAccount(ident, "from the orders and sessions that used it")
		}
	}
	for _, m := range slices.Sorted(maps.Keys(d.storages)) {
		named, _ := d.storages[m].get("paymentAccountIdentifiers")
		for _, item := range arrayItems(named) {
			d.rebuildAccount(stringOf(item, "identifier"), fmt.Sprintf("because storage %q names it (no order used it, so its type and settings are guessed)", m))
		}
	}
	return sortedByKey(d.accounts)
}

// rebuildAccount adds a custom account for ident unless one was fetched or rebuilt already,
// with the id a payment session showed for it, else a free one; from says what it is rebuilt
// from, for the note.
func (d *deriver) rebuildAccount(ident, from string) {
	if ident == "" {
		return
	}
	if _, ok := d.accounts[ident]; ok {
		return
	}
	id, ok := d.accountIDs[ident]
	if !ok {
		id = d.freeAccountID()
	}
	d.note("payment-accounts.json: account %q was never fetched; it is rebuilt as a custom account (id %d) %s", ident, id, from)
	d.accounts[ident] = obj(
		"id", id,
		"identifier", ident,
		"type", "custom",
		"localizeInfos", obj("title", ident),
		"isVisible", true,
		"isUsed", true,
		"testMode", false,
		"settings", obj(),
		"updatedDate", defaultAccountUpdate,
	)
}

func (d *deriver) freeAccountID() int {
	used := map[int]bool{}
	for _, a := range d.accounts {
		if id, ok := intOf(a, "id"); ok {
			used[id] = true
		}
	}
	for _, id := range d.accountIDs {
		used[id] = true
	}
	for id := 1; ; id++ {
		if !used[id] {
			return id
		}
	}
}

func (d *deriver) buildStorages() *node {
	out := map[string]*node{}
	usedIDs := map[int]bool{}
	for m := range d.storages {
		if id, ok := intOf(d.storages[m], "id"); ok {
			usedIDs[id] = true
		}
	}
	for _, m := range unionKeys(d.storages, d.storageHints) {
		h := d.storageHint(m)
		s, recorded := d.storages[m]
		if !recorded {
			id := h.id
			for id == 0 || usedIDs[id] {
				id++
			}
			usedIDs[id] = true
			accounts := arr()
			for _, a := range h.accounts {
				accounts.items = append(accounts.items, obj("identifier", a))
			}
			s = obj(
				"id", id,
				"identifier", m,
				"localizeInfos", obj("title", m),
				"position", 1,
				"formIdentifier", h.form,
				"generalTypeId", nil,
				"paymentAccountIdentifiers", accounts,
			)
			d.note("order-storages.json: storage %q was never fetched; it is rebuilt from the orders placed in it", m)
		}
		form := stringOf(s, "formIdentifier")
		if _, ok := d.forms[form]; !ok {
			d.note("order-storages.json: storage %q left out: its form %q was not recorded (record GET /forms/marker/%s too)", m, form, form)
			continue
		}
		currency := h.currency
		if currency == "" {
			currency = "USD"
			d.note("order-storages.json: storage %q: no order shows its currency; USD assumed", m)
		}
		attrSet := h.attrSet
		statuses := d.statuses[m]
		if len(statuses) == 0 {
			seen := h.statusSeen
			if len(seen) == 0 {
				seen = []string{defaultOrderStatus}
				d.note("order-storages.json: storage %q: its order statuses were not recorded; new orders get %q", m, defaultOrderStatus)
			} else {
				d.note("order-storages.json: storage %q: its order statuses were not recorded (GET /api/content/orders-storage/marker/%s/order-statuses); those its orders show are kept, and new orders get %q, the first seen", m, m, seen[0])
			}
			for i, st := range seen {
				statuses = append(statuses, obj("id", i+1, "identifier", st, "localizeInfos", obj("title", st), "position", i+1, "isUsed", true, "isDefault", i == 0))
			}
		}
		full := &node{kind: kindObject, keys: append([]string(nil), s.keys...), vals: append([]*node(nil), s.vals...)}
		full.keys = append(full.keys, "currency", "attributeSetIdentifier", "statuses")
		full.vals = append(full.vals, val(currency), val(attrSet), arr(statuses...))
		for _, st := range lifecycleStatuses(statuses) {
			full.keys = append(full.keys, st[0])
			full.vals = append(full.vals, val(st[1]))
			d.note("order-storages.json: storage %q: orders move to %q as %s, the status of that name (the API does not show the project's setting)", m, st[1], strings.TrimSuffix(st[0], "Status"))
		}
		out[m] = full
	}
	return sortedByKey(out)
}

// lifecycleStatuses are the paidStatus and canceledStatus a storage gets ({field, status}):
// the API does not show which statuses a project moves paid and canceled orders to, so a
// storage whose statuses include one named so moves its orders there, as the default project
// does, and a paid order does not stay in the status it was created in. None is the status
// new orders get, which the loader refuses as a paidStatus.
func lifecycleStatuses(statuses []*node) [][2]string {
	var out [][2]string
	for _, want := range []struct{ field, names string }{{"paidStatus", "paid"}, {"canceledStatus", "canceled cancelled"}} {
		for _, st := range statuses {
			id := stringOf(st, "identifier")
			if def, _ := st.get("isDefault"); def != nil && def.kind == kindBool && def.b {
				continue
			}
			if id != "" && slices.Contains(strings.Fields(want.names), id) {
				out = append(out, [2]string{want.field, id})
				break
			}
		}
	}
	return out
}

func (d *deriver) buildProviders() *node {
	markers := map[string][2]string{} // provider → login and password markers
	for _, l := range d.logins {
		if _, ok := markers[l.provider]; !ok {
			markers[l.provider] = [2]string{l.loginMarker, l.passwordMarker}
		}
	}
	out := map[string]*node{}
	ids := map[int]bool{}
	for _, p := range d.providers {
		if id, ok := intOf(p, "id"); ok {
			ids[id] = true
		}
	}
	for ident := range markers {
		if _, ok := d.providers[ident]; ok {
			continue
		}
		id := 1
		for ids[id] {
			id++
		}
		ids[id] = true
		d.providers[ident] = obj(
			"id", id, "identifier", ident, "type", "email", "localizeInfos", obj("title", ident),
			"config", obj(), "version", 0, "formIdentifier", "", "userGroupIdentifier", "guest",
			"isActive", true, "isCheckCode", false)
		d.note("auth-providers.json: provider %q was never fetched; it is rebuilt from the logins through it", ident)
	}
	for ident, p := range d.providers {
		m, ok := markers[ident]
		if !ok || m[0] == "" || m[1] == "" {
			m = d.providerMarkers(ident, stringOf(p, "formIdentifier"))
		}
		full := &node{kind: kindObject, keys: append([]string(nil), p.keys...), vals: append([]*node(nil), p.vals...)}
		if f := stringOf(full, "formIdentifier"); f != "" {
			if _, ok := d.forms[f]; !ok {
				for i, k := range full.keys {
					if k == "formIdentifier" {
						full.vals[i] = val("")
					}
				}
				d.note("auth-providers.json: provider %q: its registration form %q was not recorded; sign-up through it has no form", ident, f)
			}
		}
		full.keys = append(full.keys, "loginMarker", "passwordMarker")
		full.vals = append(full.vals, val(m[0]), val(m[1]))
		out[ident] = full
	}
	return sortedByKey(out)
}

// providerMarkers are the login and password markers of a provider no recorded login went
// through: the login and password fields of its form when that was recorded, as users sign in
// with those; else a guess.
func (d *deriver) providerMarkers(provider, formIdentifier string) [2]string {
	if form, ok := d.forms[formIdentifier]; ok {
		if login, password := AuthMarkers(form.marshal()); login != "" && password != "" {
			d.note("auth-providers.json: no login through provider %q was recorded; its login markers are %q and %q, the login and password fields of its form %q", provider, login, password, formIdentifier)
			return [2]string{login, password}
		}
	}
	d.note("auth-providers.json: no login through provider %q was recorded; its login markers are assumed to be %q and %q", provider, "login", "password")
	return [2]string{"login", "password"}
}

func (d *deriver) buildUsers() *node {
	out := arr()
	seen := map[string]bool{}
	used := map[int]bool{}
	for _, me := range d.me {
		if id, ok := intOf(me, "id"); ok {
			used[id] = true
		}
	}
	next := 1
	for _, l := range d.logins {
		key := l.provider + "\x00" + strings.ToLower(l.identifier)
		if seen[key] {
			continue
		}
		seen[key] = true
		me := d.me[strings.ToLower(l.identifier)]
		id, ok := intOf(me, "id")
		if !ok {
			for used[next] {
				next++
			}
			id = next
			used[id] = true
		}
		formData := arr()
		groups := arr()
		state := obj()
		formIdent := ""
		if me != nil {
			if fd, ok := me.get("formData"); ok {
				if u := d.unwrap(fd); u.kind == kindArray {
					formData = u
				}
			}
			if g, ok := me.get("groups"); ok && g.kind == kindArray {
				groups = g
			}
			if s, ok := me.get("state"); ok && s.kind == kindObject {
				state = s
			}
			formIdent = stringOf(me, "formIdentifier")
		}
		if formIdent == "" {
			if p, ok := d.providers[l.provider]; ok {
				formIdent = stringOf(p, "formIdentifier")
			}
		}
		if l.password == PasswordPlaceholder {
			d.note("users.json: %s logs in with the password %q (the recording's was redacted)", l.identifier, PasswordPlaceholder)
		}
		out.items = append(out.items, obj(
			"id", id,
			"authProviderIdentifier", l.provider,
			"identifier", l.identifier,
			"password", l.password,
			"formIdentifier", formIdent,
			"formData", formData,
			"groups", groups,
			"state", state,
		))
	}
	return out
}
