package http

// CompileSchemas compiles every embedded schema, as requests would.
func CompileSchemas() error {
	for name := range schemas.names {
		if _, _, err := schemas.get(name); err != nil {
			return err
		}
	}
	return nil
}
