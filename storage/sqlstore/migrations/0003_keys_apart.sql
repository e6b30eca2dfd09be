{{if .KeysApart -}}
-- Version 3: the keyring leaves the traffic database. On SQLite it lives in
-- the attached keys file (keyfile.go), where the keys of earlier versions
-- were copied before this runs; a backup of the traffic file then holds no
-- key. PostgreSQL keeps advox_keys where it is.
DROP TABLE IF EXISTS main.advox_keys;
{{- end}}
