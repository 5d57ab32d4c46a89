package engine

import "github.com/weirhq/weir"

// Devices is what the device nodes reach: the application's devices, their
// state and commands, the device triggers a reported state fires, and the
// connection commands are delivered over. Events and Sender may be nil.
type Devices struct {
	Devices  weir.DeviceService
	States   weir.DeviceStateService
	Commands weir.DeviceCommandService
	Events   weir.DeviceEventHandler // device triggers; nil: none fire
	Sender   weir.CommandSender      // delivery to connected devices; nil: commands are only recorded

	// Data answers the data nodes' time-series and last-value queries;
	// nil: those nodes fail.
	Data weir.DataService

	// Recipes gives Create Device nodes the recipe they start from; nil:
	// a recipe is not found.
	Recipes weir.DeviceRecipeService
}
