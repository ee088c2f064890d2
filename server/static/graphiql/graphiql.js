// VetQL's GraphiQL: the example operations as tabs, the demo token (development) in the Headers tab,
// queries over HTTP and subscriptions over graphql-transport-ws on the same URL. Loads nothing from outside.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("vetql-config").textContent);
  var params = new URLSearchParams(window.location.search);
  var url = window.location.origin + window.location.pathname;
  var wsUrl = url.replace(/^http/, "ws");

  // Headers typed in the Headers tab go on HTTP requests and, for subscriptions, into connection_init;
  // VetQL reads `authorization` there, so header names are sent in lower case (HTTP ignores case).
  function lowerKeys(headers) {
    var out = {};
    Object.keys(headers || {}).forEach(function (k) { out[k.toLowerCase()] = headers[k]; });
    return out;
  }
  var base = GraphiQL.createFetcher({ url: url, subscriptionUrl: wsUrl });
  function fetcher(graphQLParams, opts) {
    return base(graphQLParams, Object.assign({}, opts, { headers: lowerKeys(opts && opts.headers) }));
  }

  var headers = params.get("headers") || config.headers || "";
  var tabs = config.examples.map(function (e) {
    return { query: e.query, variables: e.variables || undefined, headers: headers || undefined };
  });
  // A link's operation (?q=&variables=) opens in a tab of its own, first; an example it repeats (the link
  // `vetql serve` prints is the Overview's) is not offered twice. GraphiQL fills its editors from these
  // props (not from the first tab's variables), so they are passed both ways.
  var query = params.get("q") || params.get("query") || undefined;
  var variables = (query && params.get("variables")) || undefined;
  function words(text) { return (text || "").replace(/\s+/g, " ").trim(); }
  if (query) {
    tabs = tabs.filter(function (t) { return words(t.query) !== words(query); });
    tabs.unshift({ query: query, variables: variables, headers: headers || undefined });
  }

  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  function App() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      query: query,
      variables: variables,
      headers: headers || undefined,
      defaultHeaders: headers || undefined,
      plugins: [explorer],
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();
