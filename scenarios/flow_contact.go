package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// contactForm and contactEntity name the default project's contact form and the page it is
// bound to.
const (
	contactForm   = "contact_us"
	contactEntity = "contacts"
	// contactConfigID is the default project's binding of contact_us.
	contactConfigID = 2
)

// ContactForm submits the contact form as a front end does: it reads the form for its module
// config, meets the live refusals in their order (required value, text shape, config), sends a
// valid submission as a signed-in user, finds it by the form's marker and deletes it.
func ContactForm() Flow {
	return clientFlow("contact-form", "the contact form: config from the form, refusals in the live order, submit, read by marker, delete", runContactForm)
}

func runContactForm(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	var configID int
	var entry *client.FormDataEntry
	var deleted bool
	values := func(message any) []client.FormDataItem {
		return []client.FormDataItem{
			{Marker: "name", Type: "string", Value: "Ann"},
			{Marker: "email", Type: "string", Value: "contact@example.com"},
			{Marker: "message", Type: "text", Value: message},
		}
	}
	submission := func(configID int, items []client.FormDataItem) client.FormDataInput {
		return client.FormDataInput{FormIdentifier: contactForm, ConfigID: configID, EntityIdentifier: contactEntity, Values: items}
	}
	return sequence(env,
		step{"read-form", func() error {
			form, err := c.Form(ctx, contactForm)
			var apiErr *client.APIError
			if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
				// Without the form there is nothing to submit to: the whole flow skips.
				return env.Skip("the target has no " + contactForm + " form")
			}
			if err != nil {
				return err
			}
			configs, err := form.Configs()
			if err != nil {
				return fmt.Errorf("moduleFormConfigs: %w", err)
			}
			if len(configs) > 0 {
				configID = configs[0].ID
			} else {
				// The mock under sdk-1.0.115 serves forms as the 2025 recording did, without them.
				configID = contactConfigID
				env.Note("the form is served without moduleFormConfigs: using the default project's config %d", configID)
			}
			return nil
		}},
		step{"refusals-in-order", func() error {
			var ck checks
			for _, tc := range []struct {
				in   client.FormDataInput
				want string
			}{
				{submission(configID+1000, values("bare")[1:]), "required values are missing or incorrect: name"},
				{submission(configID+1000, values("bare")), "message: a text value must be a list of one object with exactly one of plainValue, htmlValue, mdValue"},
				{submission(configID+1000, values([]map[string]string{{"plainValue": "Hi"}})), "Incorrect formIdentifier for provided config"},
			} {
				_, err := c.SubmitFormData(ctx, tc.in)
				apiErr, err := refusal(env, err, "submission", http.StatusBadRequest)
				if err != nil {
					return err
				}
				if env.Strict() {
					ck.that(slices.Equal(apiErr.Messages, []string{tc.want}), "messages %q, want %q", apiErr.Messages, tc.want)
				}
			}
			return ck.err()
		}},
		step{"login", func() error {
			_, err := login(ctx, env, c, t.User)
			return err
		}},
		step{"submit", func() error {
			posted, err := c.SubmitFormData(ctx, submission(configID, values([]map[string]string{{"plainValue": "Please call me back."}})))
			if err != nil {
				return err
			}
			entry = &posted.FormData
			env.Cleanup(func(ctx context.Context) error {
				if deleted {
					return nil
				}
				_, err := c.DeleteFormData(ctx, entry.ID)
				return err
			})
			var ck checks
			ck.that(entry.FormIdentifier == contactForm, "formIdentifier %q", entry.FormIdentifier)
			ck.that(entry.UserIdentifier != nil, "a signed-in submission names its user")
			return ck.err()
		}},
		step{"read-by-marker", func() error {
			list, err := c.FormDataByMarker(ctx, contactForm, configID, client.FormDataFilter{EntityIdentifier: contactEntity}, 0, 100)
			if err != nil {
				return err
			}
			found := slices.ContainsFunc(list.Items, func(e client.FormDataEntry) bool { return e.ID == entry.ID })
			if !found && !env.Strict() {
				env.Note("submission %d is not in the public read (moderated or private on this target)", entry.ID)
				return nil
			}
			if !found {
				return fmt.Errorf("submission %d not among the %d read", entry.ID, list.Total)
			}
			return nil
		}},
		step{"delete", func() error {
			if err := answeredTrue("delete")(c.DeleteFormData(ctx, entry.ID)); err != nil {
				return err
			}
			deleted = true
			_, err := c.DeleteFormData(ctx, entry.ID)
			_, err = refusal(env, err, "second delete", http.StatusNotFound)
			return err
		}},
	)
}
