/* cs-mode.c: the two modes: their schemas, labels, angles and constraint keys
 *
 * The prompts and messages are in cs-mode-prompts.c, finding and checking
 * the JSON in a reply in cs-mode-reply.c, the schema for OpenAI's strict
 * structured outputs in cs-mode-strict.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-mode"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-engine-resources.h"
#include "cs-json-parse.h"
#include "cs-mode-private.h"

#define SCHEMA_RESOURCE_DIR "/io/github/consilium/Consilium/engine/schemas/"

/* ------------------------------------------------------------------------ */
/* Angles                                                                    */
/* ------------------------------------------------------------------------ */

static const CsAngle architect_angles[] = {
  {
    "performance",
    N_("Performance first"),
    "Design for performance first: the lowest latency and the highest throughput "
    "the constraints allow. Put caches, read replicas, asynchronous processing and "
    "data locality where measurements would demand them, quantify the targets you "
    "design for (for example p99 latency and requests per second), and say plainly "
    "what this costs in money and complexity.",
  },
  {
    "cost",
    N_("Cost first"),
    "Design for the lowest monthly cost that still meets the stated scale and a "
    "sensible level of reliability. Prefer one well-sized machine, managed free "
    "tiers, serverless or spot capacity where they suffice, justify every paid "
    "component, and show in the trade-offs which growth would force the next "
    "spending step.",
  },
  {
    "operability",
    N_("Security and operability first"),
    "Design for security and operability first: least privilege, encryption in "
    "transit and at rest, secrets in a secret manager, audit logs, backups with "
    "tested restores, metrics, logs, traces and alerts, zero-downtime deployments "
    "and a rollback path. Name the threat each control answers and the on-call "
    "burden the design creates.",
  },
  {
    "simplicity",
    N_("Simplicity first"),
    "Design for simplicity first: the fewest moving parts and technologies that a "
    "small team can build, understand and run. A modular monolith and one "
    "relational database are the default until the problem proves otherwise; add "
    "a component only when you can name the requirement that forces it.",
  },
};

static const CsAngle support_angles[] = {
  {
    "likely-cause",
    N_("Most likely cause first"),
    "Order the steps by probability: test the most likely cause first, as directly "
    "as possible, then the next most likely. Each step should confirm or rule out "
    "one cause from your list of likely causes.",
  },
  {
    "cheapest-checks",
    N_("Cheapest checks first"),
    "Order the steps by cost: the quickest, read-only checks that rule out whole "
    "classes of causes come first (service status, recent logs, disk space, "
    "memory, recent changes, time and certificates), even before a more likely but "
    "more expensive test. Changes and restarts come only after the cheap checks.",
  },
  {
    "layer-by-layer",
    N_("Layer by layer"),
    "Work systematically, layer by layer, bottom-up: hardware and resources (CPU, "
    "memory, disk, power), then the operating system (services, kernel and system "
    "logs, time, permissions, limits), then the network (link, addresses, routing, "
    "DNS, firewall, proxies, TLS), then the runtime and dependencies, then the "
    "application and its configuration. Do not leave a layer without a check that "
    "clears it.",
  },
};

static const char * const architect_keys[] = { "budget", "technologies", "scale", "hosting", NULL };
static const char * const support_keys[] = { "os", "stack", "tried", NULL };

static const struct {
  const char *key;
  const char *label;
} constraint_labels[] = {
  { "budget", N_("Budget") },
  { "technologies", N_("Preferred technologies") },
  { "scale", N_("Expected scale") },
  { "hosting", N_("Cloud or on-premises") },
  { "os", N_("Operating system") },
  { "stack", N_("Stack") },
  { "tried", N_("Already tried") },
};

/* ------------------------------------------------------------------------ */
/* Mode tables                                                               */
/* ------------------------------------------------------------------------ */

const char *
_cs_mode_string_or_null (JsonNode *node)
{
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

gboolean
_cs_mode_is_valid (CsMode mode)
{
  return mode == CS_MODE_ARCHITECT || mode == CS_MODE_SUPPORT;
}

gboolean
_cs_mode_is_blank (const char *str)
{
  if (str == NULL)
    return TRUE;
  for (; *str != '\0'; str++)
    if (!g_ascii_isspace (*str))
      return FALSE;
  return TRUE;
}

static JsonNode *
load_schema (const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = g_strconcat (SCHEMA_RESOURCE_DIR, file, NULL);
  JsonNode *node;
  gsize size = 0;
  const char *data;

  bytes = g_resource_lookup_data (cs_engine_get_resource (), path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    {
      g_critical ("Cannot load the schema %s: %s", path, error->message);
      return NULL;
    }

  data = g_bytes_get_data (bytes, &size);
  node = cs_json_parse_bounded (data, (gssize)size, 0, &error);
  if (node == NULL)
    g_critical ("The schema %s is not valid JSON: %s", path, error->message);
  return node;
}

JsonNode *
cs_mode_get_schema (CsMode mode)
{
  static gsize architect_once = 0;
  static gsize support_once = 0;
  static JsonNode *architect_schema;
  static JsonNode *support_schema;

  g_return_val_if_fail (_cs_mode_is_valid (mode), NULL);

  if (mode == CS_MODE_ARCHITECT)
    {
      if (g_once_init_enter (&architect_once))
        {
          architect_schema = load_schema ("architect.schema.json");
          g_once_init_leave (&architect_once, 1);
        }
      return architect_schema;
    }

  if (g_once_init_enter (&support_once))
    {
      support_schema = load_schema ("support.schema.json");
      g_once_init_leave (&support_once, 1);
    }
  return support_schema;
}

const char *
cs_mode_get_schema_name (CsMode mode)
{
  g_return_val_if_fail (_cs_mode_is_valid (mode), NULL);

  return mode == CS_MODE_ARCHITECT ? "architecture_candidate" : "troubleshooting_candidate";
}

const char *
cs_mode_get_label (CsMode mode)
{
  g_return_val_if_fail (_cs_mode_is_valid (mode), NULL);

  return mode == CS_MODE_ARCHITECT ? _("Systems Architect") : _("Tech Support");
}

/* The angles with translated labels, built once (after the program has set
 * up its locale); ids and instructions stay the static English strings. */
static CsAngle *
translate_angles (const CsAngle *angles,
                  guint          n)
{
  CsAngle *copy = g_new (CsAngle, n);

  for (guint i = 0; i < n; i++)
    {
      copy[i] = angles[i];
      copy[i].label = g_dgettext (GETTEXT_PACKAGE, angles[i].label);
    }
  return copy;
}

const CsAngle *
cs_mode_get_angles (CsMode  mode,
                    guint  *n_angles)
{
  static gsize architect_once = 0;
  static gsize support_once = 0;
  static CsAngle *architect;
  static CsAngle *support;

  g_return_val_if_fail (_cs_mode_is_valid (mode), NULL);

  if (mode == CS_MODE_ARCHITECT)
    {
      if (g_once_init_enter (&architect_once))
        {
          architect = translate_angles (architect_angles, G_N_ELEMENTS (architect_angles));
          g_once_init_leave (&architect_once, 1);
        }
      if (n_angles)
        *n_angles = G_N_ELEMENTS (architect_angles);
      return architect;
    }

  if (g_once_init_enter (&support_once))
    {
      support = translate_angles (support_angles, G_N_ELEMENTS (support_angles));
      g_once_init_leave (&support_once, 1);
    }
  if (n_angles)
    *n_angles = G_N_ELEMENTS (support_angles);
  return support;
}

const CsAngle *
cs_mode_find_angle (CsMode      mode,
                    const char *id)
{
  const CsAngle *angles;
  guint n = 0;

  g_return_val_if_fail (_cs_mode_is_valid (mode), NULL);

  if (id == NULL)
    return NULL;

  angles = cs_mode_get_angles (mode, &n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (angles[i].id, id))
      return &angles[i];
  return NULL;
}

const char * const *
cs_mode_get_constraint_keys (CsMode mode)
{
  g_return_val_if_fail (_cs_mode_is_valid (mode), NULL);

  return mode == CS_MODE_ARCHITECT ? architect_keys : support_keys;
}

/* The English label of a constraint key for prompts ("Budget"); unknown
 * keys come back as they are. */
const char *
cs_mode_get_constraint_label (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (constraint_labels); i++)
    if (g_str_equal (constraint_labels[i].key, key))
      return constraint_labels[i].label;
  return key;
}
