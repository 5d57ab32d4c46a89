// Package triggers starts runs from events that do not arrive through the
// REST API: one file per trigger type that needs a running component
// (timer.go, mqtt_topic.go). Virtual buttons, webhooks and flow errors start runs where
// their events arrive.
package triggers
