package flowfile_test

import "go.yaml.in/yaml/v3"

func yamlUnmarshal(data []byte, v any) error { return yaml.Unmarshal(data, v) }
