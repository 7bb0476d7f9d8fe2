package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The files of the site a front end renders: pages, blocks, menus and the catalogues they are
// built from. They are optional: a fixture set without one serves an empty list (and 404s) for
// its routes, so fixture sets written before the site existed keep loading.
const (
	FilePages            = "pages.json"
	FileBlocks           = "blocks.json"
	FileMenus            = "menus.json"
	FileLocales          = "locales.json"
	FileAttributeSets    = "attributes-sets.json"
	FileGeneralTypes     = "general-types.json"
	FileTemplates        = "templates.json"
	FileTemplatePreviews = "template-previews.json"
	FileAdmins           = "admins.json"
)

// siteFiles are the optional files, in the order their references are checked.
var siteFiles = []string{
	FileGeneralTypes, FileLocales, FileAttributeSets, FileTemplates, FileTemplatePreviews,
	FileBlocks, FilePages, FileMenus, FileAdmins,
}

// MediaDir is the folder of a fixture set whose files the API serves at MediaPath.
const (
	MediaDir  = "media"
	MediaPath = "/cloud-static/content/"
)

// MediaRef starts a JSON string that links to a file of the media folder by a root-relative
// URL, which answers make absolute, as live answers carry absolute links.
var MediaRef = []byte(`"` + MediaPath)

// AbsoluteMedia makes the media links (MediaRef) of JSON absolute against origin, the scheme
// and host the API was called through.
func AbsoluteMedia(data []byte, origin string) []byte {
	if !bytes.Contains(data, MediaRef) {
		return data
	}
	return bytes.ReplaceAll(data, MediaRef, []byte(`"`+origin+MediaPath))
}

// Media returns a file of the fixture set's media folder.
func (f *Fixtures) Media(name string) ([]byte, error) {
	if f.fsys == nil || strings.Contains(name, "/") || !fs.ValidPath(name) || !f.hasMediaEntry(name) {
		return nil, Errorf(CodeNotFound, "File not found")
	}
	// Only a regular file: a FIFO would hold the request until something wrote to it.
	p := path.Join(MediaDir, name)
	if info, err := fs.Stat(f.fsys, p); err != nil || !info.Mode().IsRegular() {
		return nil, Errorf(CodeNotFound, "File not found")
	}
	data, err := fs.ReadFile(f.fsys, p)
	if err != nil {
		return nil, Errorf(CodeNotFound, "File not found")
	}
	return data, nil
}

// hasMediaEntry reports whether the media folder lists an entry named exactly name, byte for
// byte. Opening media/<name> alone finds hero.svg for Hero.svg on a case-insensitive file system
// (APFS, NTFS) and not on Linux, so a folder whose images show on a laptop would 404 in CI.
// The listing is read again only when the folder's modification time moves, which adding,
// removing or renaming a file does: a page of many images reads it once, not once an image.
func (f *Fixtures) hasMediaEntry(name string) bool {
	info, err := fs.Stat(f.fsys, MediaDir)
	if err != nil {
		return false
	}
	listing := f.media.Load()
	if listing == nil || !listing.modTime.Equal(info.ModTime()) {
		entries, err := fs.ReadDir(f.fsys, MediaDir)
		if err != nil {
			return false
		}
		listing = &mediaListing{modTime: info.ModTime(), names: make(map[string]bool, len(entries))}
		for _, e := range entries {
			listing.names[e.Name()] = true
		}
		f.media.Store(listing)
	}
	return listing.names[name]
}

// mediaListing is the names in the media folder when its modification time was modTime.
type mediaListing struct {
	modTime time.Time
	names   map[string]bool
}

// loadSite reads the site files present and checks that what they name exists: a page's
// parent, blocks, template and attribute set, a block's template, a menu item's page.
func (f *Fixtures) loadSite() error {
	for _, file := range siteFiles {
		if ok, err := hasFixture(f.fsys, file); err != nil {
			return err
		} else if !ok {
			continue
		}
		c, err := loadCollection(f.fsys, file, f.Project.DefaultLanguage)
		if err != nil {
			return err
		}
		f.collections[file] = c
	}
	f.languages = f.activeLanguages()
	return f.checkSite()
}

// site returns a site file's collection, empty when the fixture set has none.
func (f *Fixtures) site(file string) *Collection {
	if c, ok := f.collections[file]; ok {
		return c
	}
	return newCollection(nil, newIndex(0), f.Project.DefaultLanguage)
}

func (f *Fixtures) checkSite() error {
	if err := f.checkLocales(); err != nil {
		return err
	}
	pages, blocks := f.site(FilePages), f.site(FileBlocks)
	templates, sets := f.site(FileTemplates), f.site(FileAttributeSets)
	for i := range pages.Len() {
		url := pages.FieldText(i, "pageUrl")
		if url == "" || url == "null" {
			return fixtureErr(FilePages, fmt.Sprintf("[%d].pageUrl", i), "is missing")
		}
		if j, _ := pages.Find("pageUrl", url); j != i {
			return fixtureErr(FilePages, fmt.Sprintf("[%d].pageUrl", i), "duplicate pageUrl %q", url)
		}
		if err := checkRef(FilePages, pages, i, "parentId", pages, "id"); err != nil {
			return err
		}
		if err := checkRef(FilePages, pages, i, "templateIdentifier", templates, "identifier"); err != nil {
			return err
		}
		if err := checkRef(FilePages, pages, i, "attributeSetIdentifier", sets, "identifier"); err != nil {
			return err
		}
		if err := checkBlockRefs(FilePages, i, f.PageBlocks(i), blocks); err != nil {
			return err
		}
	}
	for i := range pages.Len() {
		if err := checkParents(pages, i); err != nil {
			return err
		}
	}
	for i := range blocks.Len() {
		if err := checkRef(FileBlocks, blocks, i, "templateIdentifier", templates, "identifier"); err != nil {
			return err
		}
		if err := checkRef(FileBlocks, blocks, i, "attributesSetIdentifier", sets, "identifier"); err != nil {
			return err
		}
		// The block reads take these as they are: one of another type would show other
		// products (or none) without a word, so it fails the load.
		var urls []string
		if raw := blocks.Field(i, "productPageUrls"); !emptyValue(raw) && json.Unmarshal(raw, &urls) != nil {
			return fixtureErr(FileBlocks, fmt.Sprintf("[%d].productPageUrls", i), "must be a list of page urls, such as [\"tickets\"]")
		}
		for _, u := range urls {
			if _, ok := pages.Find("pageUrl", u); !ok {
				return fixtureErr(FileBlocks, fmt.Sprintf("[%d].productPageUrls", i), "names page %q, which does not exist", u)
			}
		}
		var settings blockSettings
		if raw := blocks.Field(i, "customSettings"); !emptyValue(raw) && json.Unmarshal(raw, &settings) != nil {
			return fixtureErr(FileBlocks, fmt.Sprintf("[%d].customSettings", i), "must be an object whose mode is a string and similarScope.pageIds a list of page ids, such as {\"mode\": \"manual\", \"similarScope\": {\"pageIds\": [8]}}")
		}
		for _, id := range settings.SimilarScope.PageIDs {
			if _, ok := pages.Find("id", strconv.Itoa(id)); !ok {
				return fixtureErr(FileBlocks, fmt.Sprintf("[%d].customSettings.similarScope.pageIds", i), "names page %d, which does not exist", id)
			}
		}
	}
	return f.checkMenus(pages)
}

// checkRef refuses object i of c, of file, whose field names an object of in by its key field
// that in does not have; an empty or null field names nothing.
func checkRef(file string, c *Collection, i int, field string, in *Collection, key string) error {
	v := c.FieldText(i, field)
	if v == "" || v == "null" {
		return nil
	}
	if _, ok := in.Find(key, v); !ok {
		return fixtureErr(file, fmt.Sprintf("[%d].%s", i, field), "names %q, which does not exist", v)
	}
	return nil
}

// checkBlockRefs refuses object i of file whose blocks name one blocks does not have.
func checkBlockRefs(file string, i int, names []string, blocks *Collection) error {
	for _, b := range names {
		if _, ok := blocks.Find("identifier", b); !ok {
			return fixtureErr(file, fmt.Sprintf("[%d].blocks", i), "names block %q, which does not exist", b)
		}
	}
	return nil
}

// checkProductRefs refuses a product that names a template, an attribute set, a block or a
// status the fixture set does not have, as a page's are refused. Each is checked only when the
// set has the file it names into (statuses when withStatuses): a set written before the site's
// files existed, or derived from a capsule that recorded products alone, has none, and keeps
// the names its recorded products carry.
func (f *Fixtures) checkProductRefs(withStatuses bool) error {
	products := f.site(FileProducts)
	named := []struct {
		field, file string
	}{
		{"templateIdentifier", FileTemplates},
		{"shortDescTemplateIdentifier", FileTemplates},
		{"attributeSetIdentifier", FileAttributeSets},
		{"statusIdentifier", FileProductStatuses},
	}
	for i := range products.Len() {
		for _, r := range named {
			in, ok := f.collections[r.file]
			if !ok || r.file == FileProductStatuses && !withStatuses {
				continue
			}
			if err := checkRef(FileProducts, products, i, r.field, in, "identifier"); err != nil {
				return err
			}
		}
		if blocks, ok := f.collections[FileBlocks]; ok {
			var names []string
			_ = json.Unmarshal(products.Field(i, "blocks"), &names) // absent or not strings: none
			if err := checkBlockRefs(FileProducts, i, names, blocks); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLocales refuses a locale whose code is no language code such as en_US or whose isActive
// is not true or false, and a defaultLanguage that is not an active locale: the locale would be
// left out of the active ones, or the texts keyed by it never found, without a word (with the
// default language missing, every read without langCode answers its texts blank).
func (f *Fixtures) checkLocales() error {
	locales := f.site(FileLocales)
	for i := range locales.Len() {
		at := fmt.Sprintf("[%d]", i)
		code := locales.Field(i, "code")
		if len(code) == 0 || code[0] != '"' || !isLanguageCode(jsonText(code)) {
			return fixtureErr(FileLocales, at+".code", "must be a language code such as en_US, not %s", cmp.Or(string(code), "none"))
		}
		if j, _ := locales.Find("code", jsonText(code)); j != i {
			return fixtureErr(FileLocales, at+".code", "duplicate locale %s", code)
		}
		if active := string(locales.Field(i, "isActive")); active != "true" && active != "false" {
			return fixtureErr(FileLocales, at+".isActive", "must be true or false, not %s", cmp.Or(active, "none"))
		}
	}
	active := locales.Select("isActive", "true", func(i int) string { return locales.FieldText(i, "code") })
	if locales.Len() > 0 && !slices.Contains(active, f.Project.DefaultLanguage) {
		return fixtureErr(FileProject, "defaultLanguage", "%q is not an active locale of %s (%s)", f.Project.DefaultLanguage, FileLocales, strings.Join(active, ", "))
	}
	return nil
}

// checkParents refuses a page whose parents lead back to it: the tree reads (root pages, the
// sitemap's paths) would go round it for ever, or leave it out.
func checkParents(pages *Collection, i int) error {
	at := i
	for range pages.Len() {
		parent := pages.FieldText(at, "parentId")
		if parent == "" || parent == "null" {
			return nil
		}
		j, ok := pages.Find("id", parent)
		if !ok {
			return nil // refused as a missing page already
		}
		if j == i {
			return fixtureErr(FilePages, fmt.Sprintf("[%d].parentId", i), "page %q is its own ancestor", pages.FieldText(i, "pageUrl"))
		}
		at = j
	}
	return nil
}

// menuItem is an item of a menu, as far as its checks need: the page it links, and its own
// items.
type menuItem struct {
	PageURL  *string    `json:"pageUrl"`
	ItemType string     `json:"itemType"`
	Children []menuItem `json:"children"`
}

// checkMenus refuses a menu item, at any depth, of a page that does not exist.
func (f *Fixtures) checkMenus(pages *Collection) error {
	menus := f.site(FileMenus)
	for i := range menus.Len() {
		var items []menuItem
		_ = json.Unmarshal(menus.Field(i, "pages"), &items) // not a list of objects: nothing to check
		if err := checkMenuItems(pages, items, fmt.Sprintf("[%d].pages", i)); err != nil {
			return err
		}
	}
	return nil
}

func checkMenuItems(pages *Collection, items []menuItem, at string) error {
	for k, it := range items {
		itemAt := fmt.Sprintf("%s[%d]", at, k)
		if it.PageURL != nil && (it.ItemType == "" || it.ItemType == "page") {
			if _, ok := pages.Find("pageUrl", *it.PageURL); !ok {
				return fixtureErr(FileMenus, itemAt+".pageUrl", "names page %q, which does not exist", *it.PageURL)
			}
		}
		if err := checkMenuItems(pages, it.Children, itemAt+".children"); err != nil {
			return err
		}
	}
	return nil
}

// FlatMenu returns a menu with its items in one list, as today's API serves them: each item
// followed by its children (nested under `children`, as a fixture may write them), each of
// those naming it by parentId when it names no parent itself. A child is found by its
// parentId; the items keep their fields' bytes and order. A menu whose items are not a list of
// objects is returned as it is.
func FlatMenu(menu json.RawMessage) json.RawMessage {
	f, ok := FindRawField(menu, "pages")
	if !ok {
		return menu
	}
	var flat []json.RawMessage
	if !flattenMenuItems(menu[f.ValueStart:f.End], nil, &flat) {
		return menu
	}
	list := listJSON(inTreeOrder(flat))
	return slices.Concat(menu[:f.ValueStart], list, menu[f.End:])
}

// flattenMenuItems appends the items of the JSON list items, and after each its children, to
// out; parent is the id of the item they are the children of (nil at the top). It reports
// false when items is not a list of objects.
func flattenMenuItems(items json.RawMessage, parent json.RawMessage, out *[]json.RawMessage) bool {
	var list []json.RawMessage
	if json.Unmarshal(items, &list) != nil {
		return false
	}
	for _, it := range list {
		if len(it) == 0 || it[0] != '{' {
			return false
		}
		children := json.RawMessage(nil)
		if c, ok := FindRawField(it, "children"); ok {
			children = it[c.ValueStart:c.End]
			it = withoutField(it, "children")
		}
		if p, ok := FindRawField(it, "parentId"); parent != nil && (!ok || string(it[p.ValueStart:p.End]) == "null") {
			it = WithRawField(it, "parentId", parent)
		}
		*out = append(*out, it)
		if !emptyValue(children) {
			id := json.RawMessage("null")
			if f, ok := FindRawField(it, "id"); ok {
				id = it[f.ValueStart:f.End]
			}
			if !flattenMenuItems(children, id, out) {
				return false
			}
		}
	}
	return true
}

// inTreeOrder orders menu items so that each is followed by its descendants, the items whose
// parent is not among them first, in the order given: a fixture may write a child flat, before
// or far from its parent, and a site builds the tree in one pass over the list. Items whose ids
// are not unique are left in the order given.
func inTreeOrder(items []json.RawMessage) []json.RawMessage {
	ids, parents := make([]string, len(items)), make([]string, len(items))
	at := map[string]int{}
	for i, it := range items {
		ids[i], parents[i] = rawFieldText(it, "id"), rawFieldText(it, "parentId")
		if _, dup := at[ids[i]]; dup || ids[i] == "" || ids[i] == "null" {
			return items
		}
		at[ids[i]] = i
	}
	children := map[string][]int{}
	var tops []int
	for i := range items {
		if _, ok := at[parents[i]]; ok && parents[i] != ids[i] {
			children[parents[i]] = append(children[parents[i]], i)
		} else {
			tops = append(tops, i)
		}
	}
	out := make([]json.RawMessage, 0, len(items))
	placed := make([]bool, len(items))
	var place func(i int)
	place = func(i int) {
		if placed[i] {
			return
		}
		placed[i] = true
		out = append(out, items[i])
		for _, c := range children[ids[i]] {
			place(c)
		}
	}
	for _, i := range tops {
		place(i)
	}
	for i := range items { // items in a loop of parents, which no top leads to
		place(i)
	}
	return out
}

// rawFieldText is the JSON text of a top-level field of object, "" when it has none.
func rawFieldText(object json.RawMessage, name string) string {
	if f, ok := FindRawField(object, name); ok {
		return string(bytes.TrimSpace(object[f.ValueStart:f.End]))
	}
	return ""
}

// listJSON joins JSON values into a JSON array.
func listJSON(items []json.RawMessage) []byte {
	out := []byte{'['}
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	return append(out, ']')
}

// WithPreviewWeights returns a template preview whose every size with a width also has it as
// weight, and with a weight alone also has it as width: the platform notes
// (templates-and-previews.md) say every read answers both keys with the same number, weight
// being the deprecated name of width that a write may still use. Both, when the fixture gives
// both, are kept.
func WithPreviewWeights(preview json.RawMessage) json.RawMessage {
	f, ok := FindRawField(preview, "proportions")
	if !ok {
		return preview
	}
	var sets map[string]map[string]json.RawMessage
	if json.Unmarshal(preview[f.ValueStart:f.End], &sets) != nil {
		return preview // not sets of sizes: nothing to add to
	}
	for _, set := range sets {
		for name, size := range set {
			width, hasWidth := FindRawField(size, "width")
			weight, hasWeight := FindRawField(size, "weight")
			switch {
			case hasWidth && !hasWeight:
				set[name] = WithRawField(size, "weight", size[width.ValueStart:width.End])
			case hasWeight && !hasWidth:
				set[name] = WithRawField(size, "width", size[weight.ValueStart:weight.End])
			}
		}
	}
	proportions, err := json.Marshal(sets)
	if err != nil {
		return preview
	}
	return WithRawField(preview, "proportions", proportions)
}

// WithListMultiselect returns an attribute set whose every list attribute says whether it
// takes several options: the platform notes (list-options-and-extra-values.md) say the
// attribute read returns multiselect beside type and listTitles. One the fixture does not set
// is false, the flag's default. The other bytes are untouched.
func WithListMultiselect(set json.RawMessage) json.RawMessage {
	f, ok := FindRawField(set, "schema")
	if !ok {
		return set
	}
	schema := set[f.ValueStart:f.End]
	var attrs map[string]struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(schema, &attrs) != nil {
		return set
	}
	for marker, a := range attrs {
		at, ok := FindRawField(schema, marker)
		if !ok || a.Type != "list" {
			continue
		}
		attr := schema[at.ValueStart:at.End]
		if _, has := FindRawField(attr, "multiselect"); has {
			continue
		}
		schema = slices.Concat(schema[:at.ValueStart], WithRawField(attr, "multiselect", []byte("false")), schema[at.End:])
	}
	return slices.Concat(set[:f.ValueStart], schema, set[f.End:])
}

// PageBlocks returns the identifiers of the blocks attached to page i of pages.json, in order.
func (f *Fixtures) PageBlocks(i int) []string {
	var ids []string
	_ = json.Unmarshal(f.site(FilePages).Field(i, "blocks"), &ids) // absent or not strings: none
	return ids
}

// PageForms returns the identifiers of the forms whose module configs take submissions on
// page i of pages.json, in the order of forms.json: a global config, one that names the page (by
// id when numeric, by url otherwise), or one that names an ancestor of the page with childrenOn.
func (f *Fixtures) PageForms(i int) []string {
	var out []string
	for _, b := range f.PageFormConfigs(i) {
		if !slices.Contains(out, b.FormIdentifier) {
			out = append(out, b.FormIdentifier)
		}
	}
	return out
}

// PageFormConfigs returns the module configs that take submissions on page i of pages.json, as
// a read of the page shows them, in the order of forms.json.
func (f *Fixtures) PageFormConfigs(i int) []EntityFormConfig {
	pages := f.site(FilePages)
	return f.boundConfigs(func(c *ModuleFormConfig) bool { return c.bindsPage(pages, i) })
}

// productFormConfigs returns the module configs that take submissions on product i of
// products.json: a global one, or one that names, with childrenOn, a page the product sits on or
// an ancestor of one. A product is a child of its catalogue page, so a config that names the page
// alone is the page's, not its products'.
func (f *Fixtures) productFormConfigs(i int) []EntityFormConfig {
	return f.boundConfigs(func(c *ModuleFormConfig) bool { return c.bindsProduct(&f.Products[i]) })
}

// bindsProduct reports whether the config takes submissions on product p: a global one of the
// catalogue, or one that names, with childrenOn, a page the product sits on or an ancestor.
func (c *ModuleFormConfig) bindsProduct(p *Product) bool {
	if c.IsGlobal {
		return c.ofModule(catalogModule)
	}
	return slices.ContainsFunc(c.EntityIdentifiers, func(e EntityIdentifier) bool {
		return e.ChildrenOn && slices.ContainsFunc(p.placed.under, e.names)
	})
}

// The modules whose entities the reads list configs of: every page is the content module's, a
// catalogue page the catalogue's too (its configs name it for its products), a product the
// catalogue's.
const (
	catalogModule = "catalog"
	contentModule = "content"
)

// ofModule reports whether the config is of the module: a global config binds "every entity of
// the module" (platform notes). One whose module the fixture does not name binds every module's.
func (c *ModuleFormConfig) ofModule(module string) bool {
	return c.ModuleIdentifier == "" || c.ModuleIdentifier == module
}

// bindsEntity reports whether the config takes a submission naming the entity (its
// moduleEntityIdentifier): one it lists, or a page or product it covers as the entity's read
// shows it, through an ancestor listed with childrenOn or as a global config of the module.
func (f *Fixtures) bindsEntity(c *ModuleFormConfig, entity string) bool {
	switch {
	case c.IsGlobal && c.ModuleIdentifier != contentModule && c.ModuleIdentifier != catalogModule:
		return true // a module whose entities the mock does not keep (or one not named)
	case !c.IsGlobal && slices.ContainsFunc(c.EntityIdentifiers, func(e EntityIdentifier) bool { return e.text() == entity }):
		return true
	}
	pages := f.site(FilePages)
	for _, field := range [...]string{"pageUrl", "id"} {
		if i, ok := pages.Find(field, entity); ok && c.bindsPage(pages, i) {
			return true
		}
	}
	if id, err := strconv.Atoi(entity); err == nil {
		if p, ok := f.Product(id); ok && c.bindsProduct(p) {
			return true
		}
	}
	return false
}

// boundConfigs returns, as an entity's read shows them, the module configs binds keeps, in the
// order of forms.json; an empty list when none.
func (f *Fixtures) boundConfigs(binds func(*ModuleFormConfig) bool) []EntityFormConfig {
	out := []EntityFormConfig{}
	for k := range f.Forms {
		for n := range f.Forms[k].ModuleFormConfigs {
			if c := &f.Forms[k].ModuleFormConfigs[n]; binds(c) {
				out = append(out, c.onEntity(f.Forms[k].Identifier))
			}
		}
	}
	return out
}

// bindsPage reports whether the config takes submissions on page i: a global one of a module the
// page is of, or one that names the page, or an ancestor of it with childrenOn.
func (c *ModuleFormConfig) bindsPage(pages *Collection, i int) bool {
	if c.IsGlobal {
		return c.ofModule(contentModule) || pages.FieldText(i, "type") == "catalog_page" && c.ofModule(catalogModule)
	}
	at := i
	for range pages.Len() { // bounded, should parents ever form a cycle
		p := pageAt(pages, at)
		if slices.ContainsFunc(c.EntityIdentifiers, func(e EntityIdentifier) bool {
			return e.names(p) && (at == i || e.ChildrenOn)
		}) {
			return true
		}
		parent, ok := pages.Find("id", pages.FieldText(at, "parentId"))
		if !ok {
			return false
		}
		at = parent
	}
	return false
}

// names reports whether the identifier names page p: by id when it is numeric, by url
// otherwise.
func (e EntityIdentifier) names(p pageRef) bool {
	if e.IsNumeric {
		return p.id > 0 && e.text() == strconv.Itoa(p.id)
	}
	return p.url != "" && e.text() == p.url
}

// Page returns the index in pages.json of the page with the given url.
func (f *Fixtures) Page(url string) (int, error) {
	if i, ok := f.site(FilePages).Find("pageUrl", url); ok {
		return i, nil
	}
	return 0, Errorf(CodeNotFound, "Page not found")
}

// Block returns the index in blocks.json of the block with the given identifier.
func (f *Fixtures) Block(marker string) (int, error) {
	if i, ok := f.site(FileBlocks).Find("identifier", marker); ok {
		return i, nil
	}
	return 0, Errorf(CodeNotFound, "Block not found")
}

// Title returns the title of object i of a collection in lang: its localizeInfos.title.
func Title(c *Collection, i int, lang string) string {
	var v struct {
		LocalizeInfos struct {
			Title string `json:"title"`
		} `json:"localizeInfos"`
	}
	_ = json.Unmarshal(c.At(i, lang), &v) // a title that does not decode is no title
	return v.LocalizeInfos.Title
}

// PageHit is a page a quick search found.
type PageHit struct {
	ID      int    `json:"id"`
	Title   string `json:"title"`
	PageURL string `json:"pageUrl"`
}

// SearchPages finds the pages whose title in lang contains name (case-insensitively), within
// the page with url and its descendants when url is not empty.
func (f *Fixtures) SearchPages(name, url, lang string) ([]PageHit, error) {
	pages := f.site(FilePages)
	out := []PageHit{}
	within := -1
	if url != "" {
		// A subtree that does not exist holds no match: SDK 1.0.149's searchPage filters the
		// answer as a list without looking for an error, so a search answers a list.
		i, err := f.Page(url)
		if err != nil {
			return out, nil
		}
		within = i
	}
	for i := range pages.Len() {
		if t := Title(pages, i, lang); matches(t, name) && (within < 0 || f.descends(i, within)) {
			out = append(out, PageHit{ID: fieldInt(pages, i, "id"), Title: t, PageURL: pages.FieldText(i, "pageUrl")})
		}
	}
	return out, nil
}

// descends reports whether page i is page root or one of its descendants.
func (f *Fixtures) descends(i, root int) bool {
	return i == root || slices.Contains(f.ancestors(i), root)
}

// ancestors returns the indexes of page i's parent, its parent's parent and so on.
func (f *Fixtures) ancestors(i int) []int {
	pages := f.site(FilePages)
	var out []int
	for len(out) < pages.Len() { // a parent cycle cannot loop forever
		parent, err := strconv.Atoi(pages.FieldText(i, "parentId"))
		if err != nil {
			break
		}
		var ok bool
		if i, ok = pages.Index(parent); !ok {
			break
		}
		out = append(out, i)
	}
	return out
}

// BlockHit is a block a quick search found.
type BlockHit struct {
	ID         int    `json:"id"`
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
}

// SearchBlocks finds the blocks whose title in lang contains name (case-insensitively).
func (f *Fixtures) SearchBlocks(name, lang string) []BlockHit {
	blocks := f.site(FileBlocks)
	out := []BlockHit{}
	for i := range blocks.Len() {
		if t := Title(blocks, i, lang); matches(t, name) {
			out = append(out, BlockHit{ID: fieldInt(blocks, i, "id"), Identifier: blocks.FieldText(i, "identifier"), Name: t})
		}
	}
	return out
}

func matches(title, name string) bool {
	return name != "" && strings.Contains(strings.ToLower(title), strings.ToLower(name))
}

// fieldInt reads a numeric top-level field of object i; 0 when it is not a number.
func fieldInt(c *Collection, i int, name string) int {
	n, _ := strconv.Atoi(c.FieldText(i, name))
	return n
}

// blockSettings are the parts of a block's customSettings that decide its products.
type blockSettings struct {
	Mode         string `json:"mode"`
	SimilarScope struct {
		PageIDs []int `json:"pageIds"`
	} `json:"similarScope"`
	ProductConfig struct {
		Quantity json.RawMessage `json:"quantity"`
	} `json:"productConfig"`
}

// ceiling is the most items a computed block shows (productConfig.quantity, written as a
// string or a number), and whether it sets one.
func (b blockSettings) ceiling() (int, bool) {
	var n json.Number
	if json.Unmarshal(bytes.Trim(b.ProductConfig.Quantity, `"`), &n) != nil {
		return 0, false
	}
	v, err := n.Int64()
	return int(v), err == nil && v >= 0
}

// cappedBlockTypes compute their products when asked and show at most their productConfig's
// quantity, whatever limit a request sends (block-types.md): a frequently-ordered block, by
// today's type name and 2025's. Similar-products blocks take the request's number.
var cappedBlockTypes = []string{"frequently_ordered_block", "forStatisticProductBlock"}

// similarBlockTypes name a similar-products block, today and in 2025 (as fixtures pulled from
// an sdk-1.0.115 sandbox name it).
var similarBlockTypes = []string{"similar_products_block", "forSimilarProductBlock"}

// BlockProducts returns the ids of the visible products a product block shows, in catalogue
// order: the products of the pages its productPageUrls name; for a similar-products block, of
// its similarScope.pageIds (else its productPageUrls) and the pages under them. source is the
// product the block is shown for (0: none): it is left out. An `automatic` similar-products
// block needs it, as live answers 400 without, and without a scope shows the source's own
// pages; a `manual` one (the mode when none is set) is a static shelf that ignores it.
func (f *Fixtures) BlockProducts(marker string, source int) ([]int, error) {
	i, err := f.Block(marker)
	if err != nil {
		return nil, err
	}
	blocks, pages := f.site(FileBlocks), f.site(FilePages)
	var settings blockSettings
	_ = json.Unmarshal(blocks.Field(i, "customSettings"), &settings) // no settings: defaults
	similar := slices.Contains(similarBlockTypes, blocks.FieldText(i, "type"))
	switch {
	case !similar:
	case settings.Mode == "automatic" && source == 0:
		return nil, Errorf(CodeInvalid, "productId is required for automatic mode")
	case settings.Mode != "automatic":
		source = 0 // manual: the same shelf for every visitor, whatever product is asked about
	}
	// The platform notes (similar-product-blocks.md) give similarScope to similar-products
	// blocks, and the source product's own pages to an automatic one without a scope only:
	// other blocks, and a manual one, show their own pages, or nothing.
	automatic := similar && settings.Mode == "automatic"
	var area []pageRef
	if similar {
		for _, id := range settings.SimilarScope.PageIDs {
			if p, ok := pages.Index(id); ok {
				area = append(area, pageAt(pages, p))
			}
		}
	}
	if len(area) == 0 && !automatic {
		var urls []string
		_ = json.Unmarshal(blocks.Field(i, "productPageUrls"), &urls) // absent: none
		for _, u := range urls {
			if p, ok := pages.Find("pageUrl", u); ok {
				area = append(area, pageAt(pages, p))
			}
		}
	}
	if source != 0 {
		p, ok := f.Product(source)
		if !ok || !p.IsVisible {
			return nil, Errorf(CodeNotFound, "Product not found")
		}
		if automatic && len(area) == 0 {
			area = p.placed.on
		}
	}
	// As the platform notes say (similar-product-blocks.md), a similar-products block's
	// sections take in their descendants: a scope names sections, not their subtrees.
	var out []int
	for _, p := range f.Products {
		if !p.IsVisible || p.ID == source {
			continue
		}
		if slices.ContainsFunc(area, func(r pageRef) bool { return p.placed.in(r, similar) }) {
			out = append(out, p.ID)
		}
	}
	if n, ok := settings.ceiling(); ok && slices.Contains(cappedBlockTypes, blocks.FieldText(i, "type")) {
		out = out[:min(n, len(out))]
	}
	return out, nil
}

// Languages returns the codes of the project's active locales, in their order; the default
// language alone when the fixture set lists none.
func (f *Fixtures) Languages() []string {
	if f.languages != nil {
		return slices.Clip(f.languages)
	}
	return f.activeLanguages()
}

func (f *Fixtures) activeLanguages() []string {
	locales := f.site(FileLocales)
	if out := locales.Select("isActive", "true", func(i int) string { return locales.FieldText(i, "code") }); len(out) > 0 {
		return out
	}
	return []string{f.Project.DefaultLanguage}
}

// PagePaths returns the path of every visible page with an address of its own, its ancestors'
// urls and its own joined by "/" ("about/history"), in file order: what a sitemap lists. An
// external page has none: it is served inside a menu.
func (f *Fixtures) PagePaths() []string {
	pages := f.site(FilePages)
	var out []string
	for i := range pages.Len() {
		if pages.FieldText(i, "isVisible") != "true" || pages.FieldText(i, "type") == "external_page" {
			continue
		}
		path := pages.FieldText(i, "pageUrl")
		for _, a := range f.ancestors(i) {
			path = pages.FieldText(a, "pageUrl") + "/" + path
		}
		out = append(out, path)
	}
	return out
}
