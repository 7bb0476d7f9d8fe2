package store

import (
	"fmt"
	"slices"
	"time"

	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// slotKey identifies a schedule slot within a storage.
type slotKey struct {
	storageID  int
	start, end int64 // Unix milliseconds
}

// slotUsage counts the tickets sold for one slot.
type slotUsage struct {
	total     int
	byProduct map[int]int
}

// bookedSlots extracts the slots an order books from its timeInterval values, each once however
// often it is listed, checking each against the attribute's schedule when validate is set.
// Slots the order already holds (held) are not checked again: an order keeps a slot it booked
// after the slot has begun, and its status can still change. Slots are read in UTC, as SDK ≥
// 1.0.137 computes them from the schedule's hours.
func bookedSlots(form *Form, items []FormDataItem, validate bool, now time.Time, held []schedule.Slot) ([]schedule.Slot, error) {
	var slots []schedule.Slot
	for _, item := range items {
		attr, ok := form.Attribute(item.Marker)
		if !ok || attr.Type != "timeInterval" || isEmptyValue(item.Value) {
			continue
		}
		got, err := schedule.ParseSubmitted(item.Value)
		if err != nil {
			return nil, Invalid(fmt.Sprintf("%s: %v", item.Marker, err))
		}
		sched, hasSchedule := attr.Schedule()
		for _, slot := range got {
			if slices.ContainsFunc(slots, slot.Same) {
				continue // one booking of a slot listed twice
			}
			slots = append(slots, slot)
			if validate && !slices.ContainsFunc(held, slot.Same) {
				if !hasSchedule || !sched.Contains(slot, schedule.Options{Location: time.UTC}) {
					return nil, Invalid(fmt.Sprintf("%s: %s is not a slot of the schedule", item.Marker, slotText(slot)))
				}
				if slot.Start.Before(now) {
					return nil, Invalid(fmt.Sprintf("%s: %s has already started", item.Marker, slotText(slot)))
				}
			}
		}
	}
	return slots, nil
}

func slotText(s schedule.Slot) string {
	v := s.Value()
	return v[0] + "–" + v[1]
}

// rebookableLocked refuses to take a canceled order's seats again once one of its slots has
// begun: that is a new booking, which a slot that has begun no longer takes.
func (s *Store) rebookableLocked(o *Order) error {
	if !s.opts.ValidateSlots {
		return nil
	}
	now := s.clock.Now()
	for _, slot := range o.Slots {
		if slot.Start.Before(now) {
			return Invalid(fmt.Sprintf("order %d: %s has already started", o.ID, slotText(slot)))
		}
	}
	return nil
}

// reserveLocked books the order's seats, or fails without booking any when a slot lacks room.
func (s *Store) reserveLocked(storage *OrderStorage, o *Order) error {
	if storage.Seats == nil || len(o.Slots) == 0 {
		return nil
	}
	want := map[int]int{}
	total := 0
	for _, line := range o.Products {
		want[line.ProductID] += line.Quantity
		total += line.Quantity
	}
	for _, slot := range o.Slots {
		use := s.state.seats[keyOf(storage, slot)]
		if use == nil {
			use = &slotUsage{}
		}
		if limit := storage.Seats.PerSlot; limit > 0 && use.total+total > limit {
			return Errorf(CodeConflict, "%s is sold out: %d of %d seats left", slotText(slot), max(limit-use.total, 0), limit)
		}
		for id, n := range want {
			if limit, ok := storage.seatsByProduct[id]; ok && use.byProduct[id]+n > limit {
				return Errorf(CodeConflict, "%s is sold out for product %d: %d of %d seats left", slotText(slot), id, max(limit-use.byProduct[id], 0), limit)
			}
		}
	}
	for _, slot := range o.Slots {
		k := keyOf(storage, slot)
		use := s.state.seats[k]
		if use == nil {
			use = &slotUsage{byProduct: map[int]int{}}
			s.state.seats[k] = use
		}
		use.total += total
		for id, n := range want {
			use.byProduct[id] += n
		}
	}
	o.holdsSeats = true
	return nil
}

// releaseLocked gives back the seats an order holds.
func (s *Store) releaseLocked(storage *OrderStorage, o *Order) {
	if !o.holdsSeats {
		return
	}
	for _, slot := range o.Slots {
		use := s.state.seats[keyOf(storage, slot)]
		if use == nil {
			continue
		}
		for _, line := range o.Products {
			use.total -= line.Quantity
			use.byProduct[line.ProductID] -= line.Quantity
		}
	}
	o.holdsSeats = false
}

func keyOf(storage *OrderStorage, slot schedule.Slot) slotKey {
	return slotKey{storageID: storage.ID, start: slot.Start.UnixMilli(), end: slot.End.UnixMilli()}
}

// SeatsLeft reports the free seats of a slot of a storage: for the whole slot and per product.
// -1 means unlimited.
func (s *Store) SeatsLeft(storageMarker string, slot schedule.Slot) (int, map[int]int, error) {
	storage, err := s.OrderStorage(storageMarker)
	if err != nil {
		return 0, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	use := s.state.seats[keyOf(storage, slot)]
	if use == nil {
		use = &slotUsage{}
	}
	total := -1
	perProduct := map[int]int{}
	if storage.Seats != nil {
		// None left, not fewer than none, where a payment owed its seats took them beyond.
		if storage.Seats.PerSlot > 0 {
			total = max(storage.Seats.PerSlot-use.total, 0)
		}
		for id, limit := range storage.seatsByProduct {
			perProduct[id] = max(limit-use.byProduct[id], 0)
		}
	}
	return total, perProduct, nil
}
