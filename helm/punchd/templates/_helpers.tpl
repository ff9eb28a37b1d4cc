{{/*
Chart name, shortened to the 63 characters Kubernetes allows in names and labels.
*/}}
{{- define "punchd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name: fullnameOverride, or "<release>-<chart>" unless the release name
already contains the chart name.
*/}}
{{- define "punchd.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of the reflector's Deployment and Service.
*/}}
{{- define "punchd.reflectorName" -}}
{{- printf "%s-reflector" (include "punchd.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Chart label value: name-version.
*/}}
{{- define "punchd.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that select the pods of one component. Call with (dict "ctx" $ "component" "...").
*/}}
{{- define "punchd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "punchd.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Labels of every resource. Call with (dict "ctx" $ "component" "...").
*/}}
{{- define "punchd.labels" -}}
helm.sh/chart: {{ include "punchd.chart" .ctx }}
{{ include "punchd.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end }}

{{/*
The punchd image; the tag defaults to the chart's appVersion.
*/}}
{{- define "punchd.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Where punchd serves its API, as a --api value; the same string is the gRPC target the app dials.
*/}}
{{- define "punchd.apiAddress" -}}
{{- if eq .Values.punchd.api.transport "unix" }}
{{- printf "unix:%s/punchd.sock" (trimSuffix "/" .Values.punchd.api.socketDir) }}
{{- else }}
{{- printf "127.0.0.1:%d" (int .Values.punchd.api.port) }}
{{- end }}
{{- end }}

{{/*
The ports of punchd.portRange, as a JSON list of integers (fails on a reversed or oversized range).
*/}}
{{- define "punchd.punchPorts" -}}
{{- $bounds := splitList "-" .Values.punchd.portRange }}
{{- $first := index $bounds 0 | int }}
{{- $last := index $bounds 1 | int }}
{{- if gt $first $last }}
{{- fail (printf "punchd.portRange %q: the first port is above the last" .Values.punchd.portRange) }}
{{- end }}
{{- if gt (sub $last $first) 999 }}
{{- fail (printf "punchd.portRange %q: more than 1000 ports cannot be declared as host ports" .Values.punchd.portRange) }}
{{- end }}
{{- untilStep $first (add1 $last | int) 1 | toJson }}
{{- end }}
