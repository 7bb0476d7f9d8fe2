package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// pageRef names a catalogue page both ways the API is asked for one: by id and by url. Either
// may be unknown (0, "") for a page pages.json does not hold.
type pageRef struct {
	id  int
	url string
}

// is reports whether r and o name the same page: the same id, or the same url.
func (r pageRef) is(o pageRef) bool {
	return r.id > 0 && r.id == o.id || r.url != "" && r.url == o.url
}

// placement is where a product sits in the page tree, worked out once when the fixtures load
// so that a list request compares a few names per product rather than walking the tree.
type placement struct {
	on    []pageRef // the pages of its productPages
	under []pageRef // those pages and every ancestor of them
}

// in reports whether the product sits on page p, or, with nested, on a page under p.
func (pl placement) in(p pageRef, nested bool) bool {
	refs := pl.on
	if nested {
		refs = pl.under
	}
	for _, r := range refs {
		if r.is(p) {
			return true
		}
	}
	return false
}

// placeProducts works out every product's placement; the site files must be loaded.
func (f *Fixtures) placeProducts() error {
	all := make([][]productPage, len(f.Products))
	for i := range f.Products {
		if raw := f.Products[i].ProductPages; len(raw) > 0 {
			if err := json.Unmarshal(raw, &all[i]); err != nil {
				err = elementFixtureErr(FileProducts, fmt.Sprintf("[%d].productPages", i), raw, reflect.TypeFor[[]productPage](), err)
				if fe := (*FixtureError)(nil); errors.As(err, &fe) {
					fe.elemAt = 0 // raw is not the file's bytes: the position is found by the field's path
				}
				return err
			}
		}
	}
	// A page pages.json lacks is known by what productPages say of it: its id by the url its
	// categoryPath ends in, so that a parent named in another's path has its id too.
	ids := map[string]int{}
	for _, pps := range all {
		for _, pp := range pps {
			if segs := segments(pp.CategoryPath); len(segs) > 0 && pp.PageID > 0 {
				ids[segs[len(segs)-1]] = pp.PageID
			}
		}
	}
	for i := range f.Products {
		f.Products[i].placed = f.place(all[i], ids)
	}
	return nil
}

// place works out where productPages put a product. A productPage names its page by pageId, and
// its categoryPath ("tickets/vip") ends in the page's url, as a child page's url is its own
// segment. The page tree (pages.json's parentId) gives the ancestors; for a page pages.json
// lacks, they are the categoryPath's other segments: pages.json's pages of those urls, or, for
// those it lacks too, the ids ids knows them by.
func (f *Fixtures) place(pps []productPage, ids map[string]int) placement {
	pages := f.site(FilePages)
	var pl placement
	for _, pp := range pps {
		segs := segments(pp.CategoryPath)
		i, ok := 0, false
		if pp.PageID > 0 {
			i, ok = pages.Index(pp.PageID)
		}
		if !ok && len(segs) > 0 {
			i, ok = pages.Find("pageUrl", segs[len(segs)-1])
		}
		if ok {
			pl.on = append(pl.on, pageAt(pages, i))
			pl.under = append(pl.under, pageAt(pages, i))
			for _, a := range f.ancestors(i) {
				pl.under = append(pl.under, pageAt(pages, a))
			}
			continue
		}
		own := pageRef{id: pp.PageID}
		if len(segs) > 0 {
			own.url = segs[len(segs)-1]
			segs = segs[:len(segs)-1]
		}
		pl.on = append(pl.on, own)
		pl.under = append(pl.under, own)
		for _, s := range segs {
			if a, ok := pages.Find("pageUrl", s); ok {
				pl.under = append(pl.under, pageAt(pages, a))
			} else {
				pl.under = append(pl.under, pageRef{ids[s], s})
			}
		}
	}
	return pl
}

// segments splits a categoryPath into its pages' urls, root first.
func segments(categoryPath string) []string {
	return strings.FieldsFunc(categoryPath, func(r rune) bool { return r == '/' })
}

// pageAt names page i of pages.json.
func pageAt(pages *Collection, i int) pageRef {
	return pageRef{fieldInt(pages, i, "id"), pages.FieldText(i, "pageUrl")}
}
