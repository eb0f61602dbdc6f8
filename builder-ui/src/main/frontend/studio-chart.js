// <studio-chart option='{...echarts option...}'>: an Apache ECharts chart, rendered as SVG so
// that it stays crisp in screenshots and its marks can be found by browser tests.
import * as echarts from 'echarts';

class StudioChart extends HTMLElement {
  static get observedAttributes() {
    return ['option'];
  }

  connectedCallback() {
    if (!this.style.display) {
      this.style.display = 'block';
    }
    this.chart = echarts.init(this, null, { renderer: 'svg' });
    this.resizer = new ResizeObserver(() => this.chart && this.chart.resize());
    this.resizer.observe(this);
    this.render();
  }

  disconnectedCallback() {
    if (this.resizer) {
      this.resizer.disconnect();
    }
    if (this.chart) {
      this.chart.dispose();
      this.chart = null;
    }
  }

  attributeChangedCallback() {
    this.render();
  }

  render() {
    const text = this.getAttribute('option');
    if (!this.chart || !text) {
      return;
    }
    this.chart.setOption(JSON.parse(text), true);
    this.setAttribute('rendered', '');
  }
}

customElements.define('studio-chart', StudioChart);
