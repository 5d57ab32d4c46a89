package engine

import "github.com/weirhq/weir"

// Experience is what the experience user and group nodes reach: the
// application's users and groups and the sign-in and tokens of users.
type Experience struct {
	Users  weir.ExperienceUserService
	Groups weir.ExperienceGroupService
	Auth   weir.ExperienceAuth
}
