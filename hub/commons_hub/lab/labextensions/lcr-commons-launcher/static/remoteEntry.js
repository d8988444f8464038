/*
 * The LCR Data Commons' launcher item, written by hand (no node build): a module-federation container as
 * JupyterLab's bootstrap loads one (window._JUPYTERLAB[name] with init(shareScope) and get(module)). The plugin
 * takes JupyterLab's own token objects from the shared scope, so `requires: [ILauncher]` is the real launcher.
 * See commons_hub/lab_launcher.py for how user servers find it (JUPYTER_PATH) and why.
 */
(function () {
  'use strict';
  var NAME = 'lcr-commons-launcher';
  var COMMAND = 'commons:open-commons-page';
  // The Commons page of the data-api service (commons_hub.install.COMMONS_PAGE), beside the hub's prefix.
  var PAGE = 'services/data-api/commons';
  var shared = null;

  function pageConfig(key) {
    var el = document.getElementById('jupyter-config-data');
    try { return el ? (JSON.parse(el.textContent || '{}')[key] || '') : ''; } catch (e) { return ''; }
  }

  function commonsUrl() {
    var hubPrefix = pageConfig('hubPrefix') || '/hub/';
    var base = hubPrefix.replace(/hub\/?$/, '');
    return (base.endsWith('/') ? base : base + '/') + PAGE;
  }

  async function sharedModule(name) {
    var versions = shared && shared[name];
    if (!versions) { throw new Error(NAME + ': JupyterLab does not share ' + name); }
    var keys = Object.keys(versions).sort();
    var factory = await versions[keys[keys.length - 1]].get();
    return typeof factory === 'function' ? factory() : factory;
  }

  var ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#0b4f8a" ' +
    'd="M12 2 2 7v2h20V7L12 2zm-7 9v7h2v-7H5zm6 0v7h2v-7h-2zm6 0v7h2v-7h-2zM2 20v2h20v-2H2z"/></svg>';

  async function plugin() {
    var launcher = await sharedModule('@jupyterlab/launcher');
    var apputils = await sharedModule('@jupyterlab/apputils');
    var ui = null;
    try { ui = await sharedModule('@jupyterlab/ui-components'); } catch (e) { ui = null; }
    var icon = ui && ui.LabIcon ? new ui.LabIcon({ name: NAME + ':icon', svgstr: ICON }) : undefined;
    return {
      id: NAME + ':plugin',
      description: 'Opens the Commons page (votes, proposals, contributions) from the launcher.',
      autoStart: true,
      requires: [launcher.ILauncher],
      optional: [apputils.ICommandPalette],
      activate: function (app, theLauncher, palette) {
        app.commands.addCommand(COMMAND, {
          label: 'Commons',
          caption: 'Votes, proposals, projects and contributions of the LCR Data Commons (opens in a new tab)',
          icon: icon,
          execute: function () { window.open(commonsUrl(), '_blank', 'noopener'); }
        });
        theLauncher.add({ command: COMMAND, category: 'LCR Data Commons', rank: 0 });
        if (palette) { palette.addItem({ command: COMMAND, category: 'LCR Data Commons' }); }
      }
    };
  }

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init: function (shareScope) { shared = shareScope; return Promise.resolve(); },
    get: async function (module) {
      if (module !== './extension') { throw new Error(NAME + ' has no module ' + module); }
      var thePlugin = await plugin();
      return function () { return { __esModule: true, default: thePlugin }; };
    }
  };
})();
