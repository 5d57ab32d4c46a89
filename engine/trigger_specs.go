package engine

// A trigger spec's Field.Name is the field's path inside the trigger:
// "key" for the trigger's key, "config.x" for a config field, "meta.x" for
// an editor field. A node spec's Field.Name is a config field's name.

// TriggerSpecs returns the specs of the trigger types weir runs, for the
// console's palette and forms; each has one output, the path a run starts
// on.
func TriggerSpecs() []Spec {
	return []Spec{
		{Type: TriggerVirtualButton, Name: "Virtual Button", Category: "triggers",
			Summary: "Starts a run when the button is pressed, in the editor or through the API (flow.pressVirtualButton); the run's data is the pressed payload, else the default payload below.",
			Outputs: []string{"the run"},
			Fields: []Field{
				{Name: "meta.payload", Kind: "jsonTemplate", Doc: "Default payload (JSON) when a press sends none."},
			}},
		{Type: TriggerWebhook, Name: "Webhook", Category: "triggers",
			Summary: "Starts a run for each request to an application webhook (/webhooks/{token}); a Webhook Reply node can answer it.",
			Outputs: []string{"the run"},
			Fields: []Field{
				{Name: "key", Kind: "string", Required: true, Doc: "Id of the application's webhook."},
			}},
		{Type: "timer", Name: "Timer", Category: "triggers",
			Summary: "Starts a run on a schedule: every given number of seconds, or on a cron schedule in a time zone.",
			Outputs: []string{"the run"},
			Fields: []Field{
				{Name: "config.seconds", Kind: "number", Doc: "Interval in seconds (leave empty for a cron schedule)."},
				{Name: "config.cron", Kind: "string", Doc: "Cron schedule, e.g. 0 */5 * * * (minute hour day month weekday)."},
				{Name: "config.tz", Kind: "string", Doc: "IANA time zone of the cron schedule, e.g. Europe/Berlin (default UTC)."},
			}},
		{Type: "mqttTopic", Name: "MQTT", Category: "triggers",
			Summary: "Starts a run for each message on the --mqtt-url broker matching the topic filter.",
			Outputs: []string{"the run"},
			Fields: []Field{
				{Name: "key", Kind: "string", Required: true, Doc: "Topic filter; + matches one level, # the rest."},
			}},
		{Type: TriggerRequest, Name: "HTTP Request", Category: "triggers",
			Summary: "Starts a run for each request to an edge flow's route below /edge/{applicationId}; an HTTP Response node answers it.",
			Outputs: []string{"the run"},
			Fields: []Field{
				{Name: "config.method", Kind: "enum", Enum: []string{"*", "GET", "POST", "PUT", "PATCH", "DELETE"}, Default: "*", Doc: "Method the trigger answers."},
				{Name: "config.route", Kind: "string", Doc: "Route, e.g. /devices/{id}; empty matches any path."},
			}},
		{Type: "endpoint", Name: "Endpoint", Category: "triggers",
			Summary: "Starts a run for each request to an experience endpoint; an Endpoint Reply node answers it.",
			Outputs: []string{"the run"},
			Fields: []Field{
				{Name: "key", Kind: "string", Required: true, Doc: "Id of the experience endpoint."},
			}},
		{Type: TriggerFlowError, Name: "Workflow Error", Category: "triggers",
			Summary: "Starts a run when a run fails: of this flow (local) or of other flows in the application.",
			Outputs: []string{"the run"},
			Fields: []Field{
				{Name: "config.scope", Kind: "enum", Enum: []string{"local", "cloud", "experience", "global"}, Default: "local", Doc: "Whose errors the trigger catches."},
			}},
	}
}
