package weir

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of experience users, as Losant's schemas state them.
const (
	MinPasswordLength    = 8
	MaxPasswordLength    = 2048
	maxUserFieldLength   = 1024
	MaxUserGroups        = 1000
	maxTagValueLength    = 255
	maxExperienceTagKeys = 100
)

// ExperienceUser is a signed-in user of an application's experience: an
// email unique within the application, a password kept only as its
// argon2id hash, and membership of experience groups.
type ExperienceUser struct {
	ID                  string            `json:"id"`
	ApplicationID       string            `json:"applicationId"`
	Email               string            `json:"email"` // stored lowercase
	FirstName           string            `json:"firstName"`
	LastName            string            `json:"lastName"`
	AvatarURL           string            `json:"avatarUrl"`
	PasswordHash        string            `json:"-"`
	UserTags            map[string]string `json:"userTags"`
	GroupIDs            []string          `json:"experienceGroupIds"` // direct membership
	TokenCutoff         *time.Time        `json:"tokenCutoff"`        // tokens issued before it are refused
	LastLogin           *time.Time        `json:"lastLogin"`
	PasswordLastUpdated *time.Time        `json:"passwordLastUpdated"`
	CreationDate        time.Time         `json:"creationDate"`
	LastUpdated         time.Time         `json:"lastUpdated"`
}

// NormalizeEmail returns email as experience users are found by it:
// trimmed and lowercase.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Validate checks the structural rules of a user: a valid email of at most
// 1024 characters, names of at most 1024, a password hash, tags and group
// ids as Losant's schema allows them.
func (u *ExperienceUser) Validate() error {
	if err := ValidateEmail(u.Email); err != nil {
		return err
	}
	for name, v := range map[string]string{"firstName": u.FirstName, "lastName": u.LastName, "avatarUrl": u.AvatarURL} {
		if utf8.RuneCountInString(v) > maxUserFieldLength {
			return Errorf(Validation, "%s must be at most %d characters", name, maxUserFieldLength)
		}
	}
	if u.PasswordHash == "" {
		return Errorf(Validation, "password is required")
	}
	if err := validTagObject("userTags", u.UserTags); err != nil {
		return err
	}
	return validIDList("experienceGroupIds", u.GroupIDs, MaxUserGroups)
}

// ValidateEmail checks that email is one address of at most 1024
// characters.
func ValidateEmail(email string) error {
	if email == "" {
		return Errorf(Validation, "email is required")
	}
	if utf8.RuneCountInString(email) > maxUserFieldLength {
		return Errorf(Validation, "email must be at most %d characters", maxUserFieldLength)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") {
		return Errorf(Validation, "email must be a valid email address")
	}
	return nil
}

// ValidatePassword checks a new password's length: 8 to 2048 characters.
func ValidatePassword(password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength || n > MaxPasswordLength {
		return Errorf(Validation, "password must be %d to %d characters", MinPasswordLength, MaxPasswordLength)
	}
	return nil
}

// validTagObject checks an object of tags: keys of letters, digits, _ and
// -, values of 1 to 255 characters.
func validTagObject(field string, tags map[string]string) error {
	if len(tags) > maxExperienceTagKeys {
		return Errorf(Validation, "%s has more than %d keys", field, maxExperienceTagKeys)
	}
	for k, v := range tags {
		if !validTagKey(k) || len(k) > 255 {
			return Errorf(Validation, "%s key %q must be 1 to 255 letters, digits, _ or -", field, k)
		}
		if n := utf8.RuneCountInString(v); n < 1 || n > maxTagValueLength {
			return Errorf(Validation, "%s value of %s must be 1 to %d characters", field, k, maxTagValueLength)
		}
	}
	return nil
}

// validIDList checks a list of at most max ids.
func validIDList(field string, ids []string, max int) error {
	if len(ids) > max {
		return Errorf(Validation, "%s has more than %d items", field, max)
	}
	for _, id := range ids {
		if !ValidID(id) {
			return Errorf(Validation, "%s item %q is not an id", field, id)
		}
	}
	return nil
}

// ExperienceUserFilter selects users of one application. Every set
// condition must hold.
type ExperienceUserFilter struct {
	ApplicationID string
	IDs           []string          // nil: any; empty: none
	GroupID       string            // a group id, "any" (in some group) or "none" (in none); "" any
	Tags          map[string]string // every key must hold this value ("" any value)
	Query         *ExperienceQuery  // a user query (ParseExperienceUserQuery); nil: none
	ListOptions                     // SortField email (default), firstName, lastName, id, creationDate, lastLogin, lastUpdated; FilterField email, firstName, lastName
}

// ExperienceUserService manages experience users. Deleting an application
// deletes its users; deleting a group removes it from its members.
type ExperienceUserService interface {
	// FindExperienceUserByID returns NotFound ("Experience user was not
	// found") unless the application has a user with that id.
	FindExperienceUserByID(ctx context.Context, applicationID, id string) (*ExperienceUser, error)

	// FindExperienceUserByEmail finds the application's user by email, in
	// any case, or returns NotFound like FindExperienceUserByID.
	FindExperienceUserByEmail(ctx context.Context, applicationID, email string) (*ExperienceUser, error)

	// FindExperienceUsers returns one page of the users the filter selects
	// and how many it selects. An unknown sort or filter field returns
	// Validation.
	FindExperienceUsers(ctx context.Context, filter ExperienceUserFilter) ([]*ExperienceUser, int, error)

	// CreateExperienceUser stores a new user; it sets ID (when empty),
	// CreationDate and LastUpdated and lowercases Email. It returns
	// Validation when u does not validate, its email is taken in the
	// application or a group it names does not exist there, and NotFound
	// ("Application was not found") when its application does not exist.
	CreateExperienceUser(ctx context.Context, u *ExperienceUser) error

	// UpdateExperienceUser replaces the stored user's fields (all but
	// CreationDate) with u's and sets LastUpdated. Errors as
	// CreateExperienceUser, and NotFound like FindExperienceUserByID.
	UpdateExperienceUser(ctx context.Context, u *ExperienceUser) error

	// DeleteExperienceUser removes the user; its tokens stop working. It
	// returns NotFound like FindExperienceUserByID.
	DeleteExperienceUser(ctx context.Context, applicationID, id string) error
}

// ExperienceAuthInfo is what an experience user token says about itself,
// given to endpoint runs as experience.authInfo.
type ExperienceAuthInfo struct {
	IssuedAt  time.Time  `json:"issuedAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	ExtraData any        `json:"extraData,omitempty"`
}

// ExperienceAuth signs experience users in and issues and checks their
// tokens. Implementations compare passwords in constant time, take as long
// for an unknown email as for a wrong password, and refuse sign-ins over
// their failure limits with TooManyRequests.
type ExperienceAuth interface {
	// HashPassword validates a new password and returns its hash.
	HashPassword(password string) (string, error)

	// Authenticate returns the application's user with email and password.
	// A wrong email or password is Unauthorized ("Invalid email or
	// password"); too many failures for the email or the source address
	// are TooManyRequests. source ("" unknown) is the client's address.
	Authenticate(ctx context.Context, applicationID, email, password, source string) (*ExperienceUser, error)

	// IssueToken returns a signed token for u that expires after ttl (0:
	// never) and carries extra (nil: nothing) in its authInfo.
	IssueToken(u *ExperienceUser, ttl time.Duration, extra any) (string, error)

	// VerifyToken returns the application's user a token names and what
	// the token says, or Unauthorized when the token is not valid, has
	// expired, predates the user's token cutoff or names no user of the
	// application.
	VerifyToken(ctx context.Context, applicationID, token string) (*ExperienceUser, *ExperienceAuthInfo, error)
}

// ExperienceUserDocument returns u as Losant shows an experience user: in
// API answers, on the results of the user nodes and as experience.user in
// the runs of experience endpoints. Its experienceGroups are its direct
// groups, {id, name, parentId}, named from t; times never set are left out.
// The password hash never appears.
func ExperienceUserDocument(u *ExperienceUser, t GroupTree) map[string]any {
	groups := make([]any, 0, len(u.GroupIDs))
	for _, id := range u.GroupIDs {
		g := map[string]any{"id": id, "name": "", "parentId": nil}
		if eg := t[id]; eg != nil {
			g["name"] = eg.Name
			if eg.ParentID != "" {
				g["parentId"] = eg.ParentID
			}
		}
		groups = append(groups, g)
	}
	tags := make(map[string]any, len(u.UserTags))
	for k, v := range u.UserTags {
		tags[k] = v
	}
	doc := map[string]any{
		"id": u.ID, "experienceUserId": u.ID, "applicationId": u.ApplicationID,
		"email": u.Email, "firstName": u.FirstName, "lastName": u.LastName, "avatarUrl": u.AvatarURL,
		"userTags": tags, "experienceGroups": groups,
		"creationDate": u.CreationDate, "lastUpdated": u.LastUpdated,
	}
	if u.AvatarURL == "" {
		delete(doc, "avatarUrl")
	}
	for name, at := range map[string]*time.Time{"tokenCutoff": u.TokenCutoff, "lastLogin": u.LastLogin,
		"passwordLastUpdated": u.PasswordLastUpdated} {
		if at != nil {
			doc[name] = *at
		}
	}
	return doc
}

// ExperienceUserChange is a post or patch of a user, from the API
// (experienceUserPost, experienceUserPatch) or a node; absent fields are
// nil and keep their value.
type ExperienceUserChange struct {
	Email       *string            `json:"email"`
	FirstName   *string            `json:"firstName"`
	LastName    *string            `json:"lastName"`
	Password    *string            `json:"password"`
	TokenCutoff *time.Time         `json:"tokenCutoff"`
	UserTags    *map[string]string `json:"userTags"`
	GroupIDs    *[]string          `json:"experienceGroupIds"`
}

// Apply sets each field present in b on u, hashing a new password with
// auth (passwordLastUpdated becomes now), and validates u.
func (b *ExperienceUserChange) Apply(u *ExperienceUser, auth ExperienceAuth, now time.Time) error {
	for _, f := range []struct {
		dst *string
		src *string
	}{{&u.Email, b.Email}, {&u.FirstName, b.FirstName}, {&u.LastName, b.LastName}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if b.TokenCutoff != nil {
		t := b.TokenCutoff.UTC()
		u.TokenCutoff = &t
	}
	if b.UserTags != nil {
		u.UserTags = *b.UserTags
	}
	if b.GroupIDs != nil {
		u.GroupIDs = *b.GroupIDs
	}
	if b.Password != nil {
		hash, err := auth.HashPassword(*b.Password)
		if err != nil {
			return err
		}
		u.PasswordHash, u.PasswordLastUpdated = hash, &now
	}
	u.Email = NormalizeEmail(u.Email)
	return u.Validate()
}
