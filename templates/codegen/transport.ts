{{ header }}
{{ runtime -}}
