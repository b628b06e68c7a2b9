/**
 * Reference app 2, superhero dispatch: location nodes whose heroes live in a replicated CRDT,
 * and a dispatch node's live web page. Not a library; read it as an example.
 */
package dev.cohort.examples.superheroes;
