package weir

import "strings"

// Topic filter types of an application key (filterType). "none" (the
// default of a new key), "all" and "" leave a device free on its
// application's topics.
const (
	TopicFilterNone      = "none"
	TopicFilterAll       = "all"
	TopicFilterWhitelist = "whitelist"
	TopicFilterBlacklist = "blacklist"
)

// AllowsTopic reports whether a device authenticated with k may publish
// (publish true) or receive messages on topic, one of its application's
// free topics (not losant/: those follow the device's own rules). A
// whitelist key allows only the topics matching one of its PubTopics
// (publish) or SubTopics (receive) filters; a blacklist key allows every
// topic but those; any other filter type allows every topic.
func (k *ApplicationKey) AllowsTopic(topic string, publish bool) bool {
	filters := k.SubTopics
	if publish {
		filters = k.PubTopics
	}
	listed := false
	for _, f := range filters {
		if MatchTopic(f, topic) {
			listed = true
			break
		}
	}
	switch k.FilterType {
	case TopicFilterWhitelist:
		return listed
	case TopicFilterBlacklist:
		return !listed
	}
	return true
}

// ValidTopicFilter reports whether f is an MQTT topic filter: not empty,
// levels separated by "/" (empty levels allowed), "+" alone in a level,
// "#" alone in the last.
func ValidTopicFilter(f string) bool {
	if f == "" || len(f) > 65535 || strings.ContainsRune(f, 0) {
		return false
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		switch {
		case l == "#" && i != len(levels)-1:
			return false
		case l != "+" && l != "#" && strings.ContainsAny(l, "+#"):
			return false
		}
	}
	return true
}

// MatchTopic reports whether topic matches filter, as a broker decides:
// "+" matches one level, "#" the rest (its parent level included), and
// wildcards at the first level do not match "$" topics.
func MatchTopic(filter, topic string) bool {
	return MatchTopicLevels(strings.Split(filter, "/"), topic)
}

// MatchTopicLevels is MatchTopic with the filter already split into its
// levels.
func MatchTopicLevels(filter []string, topic string) bool {
	levels := strings.Split(topic, "/")
	if strings.HasPrefix(topic, "$") && (filter[0] == "+" || filter[0] == "#") {
		return false
	}
	for i, f := range filter {
		if f == "#" {
			return true
		}
		if i >= len(levels) || f != "+" && f != levels[i] {
			return false
		}
	}
	return len(levels) == len(filter)
}
