/* cs-synthesis-architect.c: fusing architecture blueprints
 *
 * Each section of the blueprint has its own step: the components (their
 * technology voted), the minority ones kept as alternatives, the primary data
 * store voted across candidates, the stores, the APIs (style voted), the
 * connections between what was kept, the diagram drawn again and the summary
 * of the candidate that won the most votes. The decisions, trade-offs, risks
 * and cost are in cs-synthesis-decisions.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-synthesis"

#include "config.h"

#include "cs-mermaid.h"
#include "cs-similarity.h"
#include "cs-synthesis-private.h"

static const char * const api_styles[] = { "rest", "grpc", "graphql", "websocket", "event", "batch", "other", NULL };

/* A connection between two kept nodes, deduplicated across candidates. */
typedef struct {
  int    from;
  int    to;
  char  *description;
  guint  support;
  guint  first;
  guint  last_candidate;
  GPtrArray *sources;     /* the ids of the candidates that have it (borrowed) */
} Edge;

static void
edge_free (gpointer data)
{
  Edge *e = data;

  g_ptr_array_unref (e->sources);
  g_free (e->description);
  g_free (e);
}

static int
compare_edges (gconstpointer pa,
               gconstpointer pb)
{
  const Edge *a = *(const Edge * const *)pa;
  const Edge *b = *(const Edge * const *)pb;

  if (a->support != b->support)
    return a->support > b->support ? -1 : 1;
  return a->first < b->first ? -1 : (a->first > b->first ? 1 : 0);
}

#define COMPONENT(member) CS_FUSE_FIELD (CsComponent, member)
#define STORE(member) CS_FUSE_FIELD (CsDataStore, member)
#define API(member) CS_FUSE_FIELD (CsApi, member)

/* One architect fusion: the diagram's nodes (the kept components, then the
 * kept stores that are not also components), each candidate's own names for
 * them, the connections found, and the primary store's vote. */
typedef struct {
  CsFuse       *f;
  CsBlueprint  *out;
  GPtrArray    *names;          /* node names */
  GArray       *is_store;       /* gboolean per node */
  GPtrArray    *maps;           /* per candidate: its lowercase name → node index */
  GPtrArray    *edges;          /* Edge* */
  CsVote       *primary_vote;
  CsVoteRecord *primary_record; /* the primary vote as saved, or NULL */
  CsCluster    *primary_store;  /* the store cluster holding the winner, or NULL */
} Architect;

static void
architect_init (Architect *a,
                CsFuse    *f)
{
  a->f = f;
  a->out = f->blueprint;
  a->names = g_ptr_array_new_with_free_func (g_free);
  a->is_store = g_array_new (FALSE, FALSE, sizeof (gboolean));
  a->maps = g_ptr_array_new_with_free_func ((GDestroyNotify)g_hash_table_unref);
  a->edges = g_ptr_array_new_with_free_func (edge_free);
  a->primary_vote = cs_vote_new (cs_result_primary_store_vote_field (), CS_VOTE_TECHNOLOGY);
  for (guint c = 0; c < f->total; c++)
    g_ptr_array_add (a->maps, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL));
}

static void
architect_clear (Architect *a)
{
  g_clear_pointer (&a->names, g_ptr_array_unref);
  g_clear_pointer (&a->is_store, g_array_unref);
  g_clear_pointer (&a->maps, g_ptr_array_unref);
  g_clear_pointer (&a->edges, g_ptr_array_unref);
  g_clear_pointer (&a->primary_vote, cs_vote_free);
}

/* Each member's own name for the cluster now points at node @node. */
static void
map_members (Architect *a,
             CsCluster *cluster,
             int        node)
{
  for (guint m = 0; m < cluster->members->len; m++)
    {
      CsConsensusMember *member = cs_fuse_member_at (cluster, m);
      const char *own = cs_consensus_item_title (cluster->kind, member->item);

      if (own != NULL)
        g_hash_table_insert (g_ptr_array_index (a->maps, member->candidate),
                             g_utf8_strdown (own, -1), GINT_TO_POINTER (node));
    }
}

static int
add_node (Architect  *a,
          const char *name,
          gboolean    store)
{
  g_ptr_array_add (a->names, g_strdup (name));
  g_array_append_val (a->is_store, store);
  return (int)a->names->len - 1;
}

/* ------------------------------------------------------------------------ */
/* Components                                                               */
/* ------------------------------------------------------------------------ */

/* A kept component: its technology voted, the text of a member that agrees;
 * its consensus entry. */
static void
fuse_component (Architect *a,
                CsCluster *cluster)
{
  g_autoptr(CsVote) vote = cs_fuse_vote_cluster (cluster, NULL, COMPONENT (technology), CS_VOTE_TECHNOLOGY, NULL);
  guint source = cs_fuse_pick_source (cluster, vote, COMPONENT (technology));
  const char *name = cs_fuse_cluster_str (cluster, source, COMPONENT (name));
  const char *technology = cs_vote_get_winner (vote);
  g_autofree char *field = cs_result_vote_field (CS_VOTED_COMPONENT, name);
  g_auto(GStrv) sources = cs_fuse_cluster_sources (a->f, cluster);
  CsVoteRecord *record;
  CsComponent *component;
  CsAgreement *agreement;

  cs_vote_set_field (vote, field);
  record = cs_fuse_record_vote (a->f, vote, cluster, COMPONENT (technology));
  cs_fuse_count_joined (a->f, cluster);

  component = cs_blueprint_add_component (a->out, name,
                                          cs_fuse_cluster_str (cluster, source, COMPONENT (responsibility)),
                                          technology != NULL ? technology : "",
                                          cs_fuse_cluster_str (cluster, source, COMPONENT (scaling)));
  cs_fuse_set_origin (a->f, &component->item, cluster, record);

  agreement = cs_result_add_agreement (a->f->result, name, cluster->support, cluster->total,
                                       (const char * const *)sources);
  cs_agreement_set_technology (agreement, technology);

  map_members (a, cluster, (int)a->names->len);
  add_node (a, name, FALSE);
}

static void
fuse_components (Architect *a,
                 GPtrArray *components)
{
  g_autoptr(GPtrArray) kept = cs_fuse_primary_clusters (components);

  for (guint i = 0; i < kept->len; i++)
    fuse_component (a, g_ptr_array_index (kept, i));
}

/* Minority components are alternatives. */
static void
add_component_alternatives (CsFuse    *f,
                            GPtrArray *components)
{
  for (guint i = 0; i < components->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (components, i);
      guint rep = cluster->representative;
      g_auto(GStrv) sources = NULL;

      if (cluster->primary)
        continue;
      sources = cs_fuse_cluster_sources (f, cluster);
      cs_result_add_component_alternative (f->result,
                                           cs_fuse_cluster_str (cluster, rep, COMPONENT (name)),
                                           cs_fuse_cluster_str (cluster, rep, COMPONENT (technology)),
                                           cs_fuse_cluster_str (cluster, rep, COMPONENT (responsibility)),
                                           cluster->support, cluster->total,
                                           (const char * const *)sources);
    }
}

/* ------------------------------------------------------------------------ */
/* Data stores                                                              */
/* ------------------------------------------------------------------------ */

/* The technology of a candidate's first store marked primary, or NULL. */
static const char *
primary_technology (GPtrArray *stores)
{
  for (guint p = 0; p < stores->len; p++)
    {
      const CsDataStore *store = g_ptr_array_index (stores, p);

      if (store->primary && store->technology != NULL)
        return store->technology;
    }
  return NULL;
}

/* The best-supported store cluster holding a winning primary store. */
static CsCluster *
find_primary_store (GPtrArray *stores,
                    CsVote    *vote)
{
  for (guint i = 0; i < stores->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (stores, i);

      for (guint m = 0; m < cluster->members->len; m++)
        {
          const CsDataStore *store = cs_fuse_member_at (cluster, m)->item;

          if (store->primary && cs_vote_is_winner (vote, store->technology))
            return cluster;
        }
    }
  return NULL;
}

/* The primary data store: a vote on each candidate's first store marked
 * primary, crediting the candidates whose primary store won. */
static void
vote_primary_store (Architect *a,
                    GPtrArray *stores)
{
  g_autoptr(GPtrArray) store_lists = cs_fuse_blueprint_lists (a->f, cs_blueprint_get_data_stores);

  for (guint c = 0; c < a->f->total; c++)
    {
      const char *technology = primary_technology (g_ptr_array_index (store_lists, c));

      if (technology != NULL)
        cs_vote_add (a->primary_vote, technology);
    }
  a->primary_record = cs_fuse_add_vote (a->f, a->primary_vote);
  if (a->primary_record == NULL)
    return;

  for (guint c = 0; c < a->f->total; c++)
    {
      const char *technology = primary_technology (g_ptr_array_index (store_lists, c));

      if (technology != NULL && cs_vote_is_winner (a->primary_vote, technology))
        a->f->wins[c]++;
    }
  a->primary_store = find_primary_store (stores, a->primary_vote);
}

/* The node of a store: the component node of the same name (a store the
 * candidates also listed as a component is one node), else a new one. */
static int
store_node (Architect  *a,
            guint       n_component_nodes,
            const char *name)
{
  for (guint k = 0; k < n_component_nodes; k++)
    if (cs_similarity_text (g_ptr_array_index (a->names, k), name) >= CS_SIMILARITY_THRESHOLD)
      {
        g_array_index (a->is_store, gboolean, k) = TRUE;
        return (int)k;
      }
  return add_node (a, name, TRUE);
}

static void
fuse_store (Architect *a,
            CsCluster *cluster,
            guint      n_component_nodes)
{
  g_autoptr(CsVote) vote = cs_fuse_vote_cluster (cluster, NULL, STORE (technology), CS_VOTE_TECHNOLOGY, NULL);
  guint source = cs_fuse_pick_source (cluster, vote, STORE (technology));
  const char *name = cs_fuse_cluster_str (cluster, source, STORE (name));
  const char *technology = cs_vote_get_winner (vote);
  g_autofree char *field = cs_result_vote_field (CS_VOTED_DATA_STORE, name);
  CsVoteRecord *record;
  CsDataStore *store;

  cs_vote_set_field (vote, field);
  if (cluster == a->primary_store)
    {
      technology = cs_vote_get_winner (a->primary_vote);
      record = a->primary_record;
    }
  else
    record = cs_fuse_record_vote (a->f, vote, cluster, STORE (technology));

  store = cs_blueprint_add_data_store (a->out, name, technology != NULL ? technology : "",
                                       cs_fuse_cluster_str (cluster, source, STORE (purpose)),
                                       cluster == a->primary_store);
  cs_fuse_set_origin (a->f, &store->item, cluster, record);

  map_members (a, cluster, store_node (a, n_component_nodes, name));
}

/* The majority stores and the primary one. */
static void
fuse_stores (Architect *a,
             GPtrArray *stores)
{
  guint n_component_nodes = a->names->len;

  for (guint i = 0; i < stores->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (stores, i);

      if (cluster->primary || cluster == a->primary_store)
        fuse_store (a, cluster, n_component_nodes);
    }
}

/* ------------------------------------------------------------------------ */
/* APIs                                                                     */
/* ------------------------------------------------------------------------ */

/* The majority APIs, their style voted among the schema's styles. */
static void
fuse_apis (CsFuse    *f,
           GPtrArray *apis)
{
  for (guint i = 0; i < apis->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (apis, i);
      g_autofree char *field = NULL;
      g_autoptr(CsVote) vote = NULL;
      g_autofree char *style = NULL;
      CsVoteRecord *record;
      CsApi *api;
      guint source;

      if (!cluster->primary)
        continue;
      vote = cs_fuse_vote_cluster (cluster, NULL, API (style), CS_VOTE_LABEL, api_styles);
      source = cs_fuse_pick_source (cluster, vote, API (style));
      field = cs_result_vote_field (CS_VOTED_API, cs_fuse_cluster_str (cluster, source, API (name)));
      cs_vote_set_field (vote, field);
      record = cs_fuse_record_vote (f, vote, cluster, API (style));
      style = g_ascii_strdown (cs_vote_get_winner (vote) != NULL ? cs_vote_get_winner (vote) : "other", -1);

      api = cs_blueprint_add_api (f->blueprint, cs_fuse_cluster_str (cluster, source, API (name)),
                                  g_strstrip (style), cs_fuse_cluster_str (cluster, source, API (description)));
      cs_fuse_set_origin (f, &api->item, cluster, record);
    }
}

/* ------------------------------------------------------------------------ */
/* Connections                                                              */
/* ------------------------------------------------------------------------ */

static int
find_name (GPtrArray  *names,
           const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_utf8_collate (g_ptr_array_index (names, i), name) == 0)
      return (int)i;
  for (guint i = 0; i < names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (names, i), name) == 0)
      return (int)i;
  return -1;
}

/* The node index of a connection endpoint: by the candidate's own mapping,
 * else an output name equal to it, else the most similar output name. */
static int
resolve_endpoint (GHashTable *candidate_map,
                  GPtrArray  *names,
                  const char *name)
{
  g_autofree char *lower = NULL;
  gpointer idx;
  double best = 0;
  int found = -1;

  if (name == NULL || *name == '\0')
    return -1;
  lower = g_utf8_strdown (name, -1);
  if (candidate_map != NULL && g_hash_table_lookup_extended (candidate_map, lower, NULL, &idx))
    return GPOINTER_TO_INT (idx);
  found = find_name (names, name);
  if (found >= 0)
    return found;
  for (guint i = 0; i < names->len; i++)
    {
      double s = cs_similarity_text (g_ptr_array_index (names, i), name);

      if (s >= CS_SIMILARITY_THRESHOLD && s > best)
        {
          best = s;
          found = (int)i;
        }
    }
  return found;
}

/* Candidate @c's connection between two nodes: a new edge, or one more
 * vote (one per candidate) for the same edge. */
static void
add_edge (Architect  *a,
          guint       c,
          int         from,
          int         to,
          const char *description)
{
  Edge *edge;

  for (guint e = 0; e < a->edges->len; e++)
    {
      edge = g_ptr_array_index (a->edges, e);
      if (edge->from == from && edge->to == to)
        {
          if (edge->last_candidate != c)
            {
              edge->support++;
              g_ptr_array_add (edge->sources, (gpointer)cs_fuse_candidate_id (a->f, c));
            }
          edge->last_candidate = c;
          return;
        }
    }
  edge = g_new0 (Edge, 1);
  edge->from = from;
  edge->to = to;
  edge->description = g_strdup (description != NULL ? description : "");
  edge->support = 1;
  edge->first = a->edges->len;
  edge->last_candidate = c;
  edge->sources = g_ptr_array_new ();
  g_ptr_array_add (edge->sources, (gpointer)cs_fuse_candidate_id (a->f, c));
  g_ptr_array_add (a->edges, edge);
}

/* The connections between the kept nodes, deduplicated, best supported
 * first. */
static void
fuse_connections (Architect *a)
{
  for (guint c = 0; c < a->f->total; c++)
    {
      GPtrArray *connections = cs_blueprint_get_connections (cs_fuse_get_blueprint (a->f, c));
      GHashTable *map = g_ptr_array_index (a->maps, c);

      for (guint p = 0; p < connections->len; p++)
        {
          const CsConnection *conn = g_ptr_array_index (connections, p);
          int from = resolve_endpoint (map, a->names, conn->from);
          int to = resolve_endpoint (map, a->names, conn->to);

          if (from >= 0 && to >= 0 && from != to)
            add_edge (a, c, from, to, conn->description);
        }
    }
  g_ptr_array_sort (a->edges, compare_edges);

  for (guint e = 0; e < a->edges->len; e++)
    {
      Edge *edge = g_ptr_array_index (a->edges, e);
      CsConnection *connection;

      connection = cs_blueprint_add_connection (a->out, g_ptr_array_index (a->names, edge->from),
                                                g_ptr_array_index (a->names, edge->to),
                                                edge->description);
      g_ptr_array_add (edge->sources, NULL);
      cs_origin_set_sources (&connection->item.origin, (const char * const *)edge->sources->pdata);
      connection->item.support = edge->support;
      connection->item.total = a->f->total;
    }
}

/* The diagram, drawn again from what was kept. */
static void
fuse_mermaid (Architect *a)
{
  g_autoptr(GString) chart = cs_mermaid_flowchart_new ();

  for (guint i = 0; i < a->names->len; i++)
    cs_mermaid_add_node (chart, i, g_ptr_array_index (a->names, i), g_array_index (a->is_store, gboolean, i));
  for (guint e = 0; e < a->edges->len; e++)
    {
      Edge *edge = g_ptr_array_index (a->edges, e);

      cs_mermaid_add_edge (chart, edge->from, edge->to, edge->description);
    }
  cs_blueprint_set_mermaid (a->out, chart->str);
}

void
cs_fuse_architect (CsFuse *f)
{
  g_autoptr(GPtrArray) comp_lists = cs_fuse_blueprint_lists (f, cs_blueprint_get_components);
  g_autoptr(GPtrArray) store_lists = cs_fuse_blueprint_lists (f, cs_blueprint_get_data_stores);
  g_autoptr(GPtrArray) api_lists = cs_fuse_blueprint_lists (f, cs_blueprint_get_apis);
  g_autoptr(GPtrArray) decision_lists = cs_fuse_blueprint_lists (f, cs_blueprint_get_decisions);
  g_autoptr(GPtrArray) components = cs_consensus_cluster (CS_ITEM_COMPONENT, comp_lists);
  g_autoptr(GPtrArray) stores = cs_consensus_cluster (CS_ITEM_DATA_STORE, store_lists);
  g_autoptr(GPtrArray) apis = cs_consensus_cluster (CS_ITEM_API, api_lists);
  g_autoptr(GPtrArray) decisions = cs_consensus_cluster (CS_ITEM_DECISION, decision_lists);
  g_autofree char *summary = NULL;
  Architect a = { 0 };

  architect_init (&a, f);
  fuse_components (&a, components);
  add_component_alternatives (f, components);
  vote_primary_store (&a, stores);
  fuse_stores (&a, stores);
  fuse_apis (f, apis);
  fuse_connections (&a);
  cs_fuse_decisions (f, decisions);
  cs_fuse_trade_offs_and_risks (f);
  cs_fuse_cost (f);
  fuse_mermaid (&a);

  /* the summary last: it depends on who won the votes */
  summary = cs_fuse_summary (f, cs_fuse_lead_candidate (f, TRUE));
  cs_blueprint_set_summary (f->blueprint, summary);
  architect_clear (&a);
}
